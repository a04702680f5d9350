"""`auto/balanced`: one cost-effective model per API kind (configured, else from the evidence)."""

from __future__ import annotations

from benchroute.catalog.model import Catalog
from benchroute.routing.call import MAX_FALLBACKS, Call, healthy_first, too_long
from benchroute.routing.capabilities import context_steps, fit_key
from benchroute.routing.decision import Decision
from benchroute.routing.evidence import split_variant
from benchroute.routing.policy import FloatArray, PolicyTable, expected_cost
from benchroute.routing.static import ModelNotAllowed, NoModelConfigured
from benchroute.routing.tiers import API_KINDS, BALANCED, Defaults, balanced_order
from benchroute.settings import TierSettings

MEMO = 1024  # orders remembered


class BalancedTier:
    def __init__(self, catalog: Catalog, table: PolicyTable, tiers: TierSettings, defaults: Defaults) -> None:
        self.catalog = catalog
        self.table = table
        self.tiers = tiers
        self.defaults = defaults
        # the configuration's order per API kind, worked out once (settings and evidence are fixed)
        self._configured = {kind: balanced_order(kind, tiers, defaults) for kind in API_KINDS}
        # a memo: the same API kind, project, keys, cooldowns and needs (`fit_key`), the same order
        self._orders: dict[tuple[object, ...], tuple[str, ...]] = {}
        self._steps = context_steps(m.context for m in catalog)

    def order(self, call: Call) -> list[str]:
        """Balanced models for this call, usable first; raises when the project allows none.
        Remembered (bounded: cleared at `MEMO` entries): it depends only on the API kind, the
        project's patterns, the models the gateway can call, the cooldowns and the needs."""
        key = (
            call.request.context.api_kind,
            tuple(call.project.allowed_models),
            call.routable,
            call.ctx.unavailable,
            fit_key(call.needs, self._steps),
        )
        known = self._orders.get(key)
        if known is None:
            known = tuple(self._order(call))
            if len(self._orders) >= MEMO:
                self._orders.clear()
            self._orders[key] = known
        return list(known)

    def _order(self, call: Call) -> list[str]:
        kind = call.request.context.api_kind
        configured = self._configured.get(kind) or balanced_order(kind, self.tiers, self.defaults)
        order: list[str] = []
        for m in configured:  # the first few usable ones are all a Decision names
            if call.usable(m, self.catalog):
                order.append(m)
                if len(order) > MAX_FALLBACKS + len(call.ctx.unavailable):
                    break
        if not order:
            # Nothing configured can serve it: any usable model with evidence, then any usable model.
            order = [m for m in self.table.models if call.usable(m, self.catalog)][:1]
            order = order or sorted(m.id for m in self.catalog if call.usable(m.id, self.catalog))[:1]
        if not order:
            longer = too_long(call, self.catalog, self.catalog.ids(), call.request.model)
            if longer is not None:
                raise longer
            if configured:
                raise ModelNotAllowed(
                    f"{call.request.model!r} needs a Balanced model ({configured[0]}), and no catalog model "
                    f"is allowed by this project ({', '.join(call.project.allowed_models)}), callable (its "
                    "provider's API key set, or a local model) and able to serve this request"
                )
            raise NoModelConfigured("no Balanced model is configured (tiers.balanced)")
        return healthy_first(order, call.ctx.unavailable)

    def decide(
        self,
        call: Call,
        *,
        tier: str = BALANCED,
        reason: str = "balanced",
        why: str = "",
        p: FloatArray | None = None,
    ) -> Decision:
        """The Balanced model for the call; `tier`, `reason`, `why` when another tier falls back to it."""
        order = self.order(call)
        chosen, effort = split_variant(order[0])
        explanation = why or f"{BALANCED} serves {call.request.context.api_kind} requests with {chosen}."
        return Decision(
            model=chosen,
            tier=tier,
            reason=reason,
            requested_model=call.request.model,
            session_key=call.ctx.session_key,
            expected_cost=expected_cost(self.catalog, self.table, order[0], p, call.prompt_tokens),
            fallbacks=tuple(split_variant(m)[0] for m in order[1 : 1 + MAX_FALLBACKS]),
            explanation=explanation,
            reasoning_effort=effort,
        )
