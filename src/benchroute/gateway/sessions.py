"""The session layer on the gateway's request path (docs/sessions.md).

`route` keys the request, routes it within its session (state in `state.sessions`) and returns the
Decision; `after_serving` moves the session when a fallback served the request. A session store
that fails (Redis down) never fails a request: it is routed without session state, and logged.
"""

from __future__ import annotations

import logging

from benchroute.gateway.state import GatewayState
from benchroute.gateway.usage import RequestLog
from benchroute.quickinit import quick_replace
from benchroute.routing.base import RouteContext
from benchroute.routing.decision import Decision
from benchroute.routing.static import RouteError
from benchroute.sessions.keys import session_key
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest

log = logging.getLogger(__name__)

# What a routing engine raises for a request it cannot route (mapped to a client error). Anything
# else raised while routing is a bug, not the client's: a 500 with a generic message, details logged.
ROUTING_ERRORS = (RouteError,)


async def route(
    state: GatewayState, request: ChatRequest, rlog: RequestLog, project: ProjectSettings, ctx: RouteContext
) -> Decision:
    layer = state.sessions
    # hashes the conversation when the client sent no id: once (the layer remembers recent ones)
    keys = layer.keys(request) if layer is not None else session_key(request)
    key = keys[0]
    rlog.session = key
    if layer is not None:
        try:
            engine, request_id = state.engine, rlog.request_id
            # by position: ..., ctx, decision_id, keys
            routed = await layer.route(engine, request, rlog.project, project, ctx, request_id, keys)
            return routed.decision
        except ROUTING_ERRORS:
            raise
        except Exception:
            log.warning(
                "session store failed; routing request %s without session state",
                rlog.request_id,
                exc_info=True,
            )
    decision = state.engine.route(request, project, quick_replace(ctx, session_key=key))
    return quick_replace(decision, id=rlog.request_id, session_key=key)


def fallback_served(rlog: RequestLog) -> bool:
    """A fallback served the request instead of the chosen model (`after_serving` has work)."""
    decision = rlog.decision
    served = rlog.model.id if rlog.model is not None else None
    return not (decision is None or served is None or served == decision.model or rlog.status >= 400)


async def after_serving(state: GatewayState, rlog: RequestLog) -> Decision | None:
    """The Decision to record: when a fallback served instead of the chosen model, the session
    moves to it and the Decision is marked `forced_by_failure`. Never raises."""
    decision = rlog.decision
    if not fallback_served(rlog):
        return decision
    assert decision is not None and rlog.model is not None  # (a fallback served)
    served = rlog.model.id
    layer = state.sessions
    if layer is None:
        return decision
    try:
        return await layer.served(rlog.project, decision, served)
    except Exception:
        log.warning("session store failed recording the failover of %s", rlog.request_id, exc_info=True)
        return decision
