"""`auto/frontier`: the strongest model for the mode group (reasoning or implementation)."""

from __future__ import annotations

from benchroute.catalog.model import Catalog
from benchroute.routing.balanced import BalancedTier
from benchroute.routing.call import MAX_FALLBACKS, Call, healthy_first, unique
from benchroute.routing.classifier import CellPrediction, Classifier
from benchroute.routing.decision import Decision
from benchroute.routing.evidence import split_variant
from benchroute.routing.policy import PolicyTable, expected_cost, route_probs
from benchroute.routing.taxonomy import split_cell
from benchroute.routing.tiers import (
    FRONTIER,
    Defaults,
    FrontierRole,
    frontier_order,
    frontier_role,
    mode_role,
)
from benchroute.settings import TierSettings


class FrontierTier:
    def __init__(
        self,
        catalog: Catalog,
        table: PolicyTable,
        classifier: Classifier,
        tiers: TierSettings,
        defaults: Defaults,
        balanced: BalancedTier,
    ) -> None:
        self.catalog = catalog
        self.table = table
        self.classifier = classifier
        self.tiers = tiers
        self.defaults = defaults
        self.balanced = balanced

    def decide(self, call: Call) -> Decision:
        mode = call.request.context.mode
        pred: CellPrediction | None = None
        role = mode_role(mode)
        if role is None:
            pred = self.classifier.classify(call.request)
            role = frontier_role(mode, _top_task(pred))
        other: FrontierRole = "implementation" if role == "reasoning" else "reasoning"
        wanted = frontier_order(role, self.tiers, self.defaults) + frontier_order(
            other, self.tiers, self.defaults
        )
        order = [m for m in unique(wanted) if call.usable(m, self.catalog)]
        substitute = not order  # no Frontier model can serve it: the Balanced fallbacks do
        if substitute:
            order = self.balanced.order(call)
        order = healthy_first(order, call.ctx.unavailable)
        chosen, effort = split_variant(order[0])
        probs = route_probs(pred.probs) if pred is not None else None
        p = self.table.vector(probs) if probs is not None else None
        cost = expected_cost(self.catalog, self.table, order[0], p, call.prompt_tokens)
        how = f"mode {mode!r}" if mode_role(mode) else f"task type {_top_task(pred)!r}"
        return Decision(
            model=chosen,
            tier=FRONTIER,
            reason=f"frontier_{role}",
            requested_model=call.request.model,
            cells=dict(pred.top(5)) if pred else {},
            confidence=pred.confidence if pred else None,
            session_key=call.ctx.session_key,
            # a substitute is not the Frontier model: the Frontier model is the configured one, which
            # could not serve the request (no cost to compare with)
            frontier_model=split_variant(wanted[0])[0] if substitute and wanted else chosen,
            frontier_cost=None if substitute else cost,
            expected_cost=cost,
            fallbacks=tuple(unique([split_variant(m)[0] for m in order[1:]], chosen)[:MAX_FALLBACKS]),
            explanation=(
                f"Frontier by {how}: no Frontier model can serve this request, so the first usable "
                f"Balanced model, {chosen}, serves it."
                if substitute
                else f"Frontier by {how}: the {role} model {chosen}."
            ),
            reasoning_effort=effort,
        )


def _top_task(pred: CellPrediction | None) -> str | None:
    if pred is None or not pred.probs:
        return None
    probs = route_probs(pred.probs)
    if not probs:
        return None
    return split_cell(max(probs.items(), key=lambda kv: kv[1])[0])[0]
