"""The session layer on the request path: key the request, route it, apply the session rules, and
record the outcome in the session's state, in one atomic update of the store.

The routing engine and the rules are pure and synchronous, so they run inside the store's atomic
update (which may retry them when another gateway process wrote the same session meanwhile). The
engine is an argument of every call, never kept: the gateway swaps its engine when the leaderboard
or the free pool changes, and each request routes with the engine current when it started.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from benchroute.catalog.model import Catalog
from benchroute.quickinit import quick_init
from benchroute.routing.base import RouteContext, RoutingEngine
from benchroute.routing.decision import Decision
from benchroute.sessions.base import HISTORY_LIMIT, HistoryEntry, SessionState, SessionStore
from benchroute.sessions.keys import SessionKeys
from benchroute.sessions.rules import after_failover, apply_session
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest


@quick_init
@dataclass(frozen=True, slots=True)
class Routed:
    decision: Decision
    state: SessionState


class SessionRouter:
    """Routes requests with session state kept in a `SessionStore`."""

    def __init__(
        self,
        store: SessionStore,
        *,
        catalog: Catalog | None = None,
        ttl: float | None = None,
        history_limit: int = HISTORY_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.ttl = ttl
        self.history_limit = history_limit
        self._clock = clock
        self.keys = SessionKeys()  # `session_key`, conversation hashes remembered

    async def route(
        self,
        engine: RoutingEngine,
        request: ChatRequest,
        project_name: str,
        project: ProjectSettings,
        ctx: RouteContext | None = None,
        decision_id: str = "",
        keys: tuple[str, str | None] | None = None,
    ) -> Routed:
        """Route one request with `engine` within its session. Routing errors propagate; the state
        is then unchanged. `keys`: the request's `session_key(request)` when the caller has it
        already (it hashes the conversation when the client sent no session id). (The gateway
        passes everything by position: keywords cost more than this call's own work.)"""
        base = ctx or RouteContext()
        key, parent = keys or self.keys(request)
        out: list[Routed] = []

        def step(state: SessionState | None) -> SessionState:
            # every field, not `replace`: a third of the time (a test checks every field); by
            # position, in the fields' order (tests/test_positional.py): keywords cost more
            sctx = RouteContext(
                base.unavailable,  # unavailable
                key,  # session_key
                state.model if state else None,  # session_model
                state.turns if state else 0,  # session_turns
                base.extra,  # extra
            )
            policy = engine.route(request, project, sctx)
            decision = apply_session(
                policy,
                state,
                request,
                project.switch_saving,  # switch_saving
                project.allowed_models,  # allowed_models
                base.unavailable,  # unavailable
                self.catalog,  # catalog
                {"id": decision_id or policy.id, "session_key": key},  # stamp
            )
            now = self._clock()
            start = state or SessionState(key=key, project=project_name, parent_key=parent, created=now)
            if start.parent_key is None and parent is not None:
                start = replace(start, parent_key=parent)
            new = start.record(
                decision.id,
                decision.model,
                decision.tier,
                decision.session_action,
                now,
                self.history_limit,  # limit (by position)
            )
            out[:] = [Routed(decision, new)]
            return new

        await self.store.update(project_name, key, step, self.ttl)
        return out[0]

    async def served(self, project_name: str, decision: Decision, served_model: str) -> Decision:
        """Record that a fallback served the request: the session moves to the model that worked,
        and the decision is marked `forced_by_failure`. Returns the decision to record."""
        if served_model == decision.model or decision.session_key is None:
            return decision
        recorded = after_failover(decision, served_model)

        def step(state: SessionState | None) -> SessionState | None:
            if state is None or state.last_decision_id != decision.id:
                return state  # a later request already moved the session on
            prev = state.history[-2].model if len(state.history) > 1 else None
            was_switch = prev is not None and prev != decision.model
            is_switch = prev is not None and prev != served_model
            entry = HistoryEntry(decision.id, served_model, "forced_by_failure")
            return replace(
                state,
                model=served_model,
                updated=self._clock(),
                switches=state.switches - was_switch + is_switch,
                history=(*state.history[:-1], entry) if state.history else (),
            )

        await self.store.update(project_name, decision.session_key, step, self.ttl)
        return recorded
