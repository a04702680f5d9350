"""`auto/free`: free models only, sticky per session by weighted hashing, capability-filtered."""

from __future__ import annotations

from benchroute.catalog.model import Catalog
from benchroute.routing.call import MAX_FALLBACKS, Call, healthy_first, too_long
from benchroute.routing.decision import Decision
from benchroute.routing.freepool import FreePool, fallback_key
from benchroute.routing.static import NoModelConfigured
from benchroute.routing.tiers import FREE


class FreeTier:
    def __init__(self, catalog: Catalog, pool: FreePool) -> None:
        self.catalog = catalog
        self.pool = pool if pool.models else FreePool.from_catalog(catalog)

    def decide(self, call: Call) -> Decision:
        usable = [m for m in self.pool.ids() if call.usable(m, self.catalog)]
        if not usable:
            longer = too_long(call, self.catalog, self.pool.ids(), FREE)
            if longer is not None:
                raise longer
            need = ", ".join(
                n for n, on in (("tools", call.needs.tools), ("vision", call.needs.vision)) if on
            )
            raise NoModelConfigured(
                "auto/free has no usable free model"
                + (f" that supports {need}" if need else "")
                + ": add free models to the catalog or the free pool (tiers.free_pool), and allow them "
                "in the project's allowed_models"
            )
        key = call.ctx.session_key or fallback_key(call.request)
        ranked = healthy_first(self.pool.ranked(key, usable), call.ctx.unavailable)
        chosen = ranked[0]
        skipped = [m for m in self.pool.ranked(key, usable) if m in call.ctx.unavailable]
        note = f" ({', '.join(skipped)} in cooldown)" if skipped else ""
        return Decision(
            model=chosen,
            tier=FREE,
            reason="free_pool",
            requested_model=call.request.model,
            session_key=call.ctx.session_key,
            expected_cost=0.0,
            fallbacks=tuple(ranked[1 : 1 + MAX_FALLBACKS]),
            explanation=f"Free pool: this session is pinned to {chosen} by weighted hashing{note}.",
        )
