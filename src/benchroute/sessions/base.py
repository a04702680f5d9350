"""Session state and the `SessionStore` seam.

A session is one conversation (a Kilo task, an SDK session, or a hashed system prompt + first user
message). Its state is small: the model it is on, the tier, how many requests it had, and a bounded
history of (decision id, model, action). Backends: `memory.py` (one process, the default) and
`redis.py` (shared by several gateway processes). Sessions are scoped by project: the same key in
two projects is two sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from benchroute.quickinit import quick_init

DEFAULT_TTL = 6 * 3600.0  # seconds a session lives after its last request
HISTORY_LIMIT = 50  # entries of (decision id, model, action) kept per session


@quick_init
@dataclass(frozen=True, slots=True)
class HistoryEntry:
    decision_id: str
    model: str
    action: str


@quick_init
@dataclass(frozen=True, slots=True)
class SessionState:
    key: str
    project: str
    model: str | None = None  # the model the session is on
    tier: str | None = None
    turns: int = 0  # requests routed in this session
    last_decision_id: str = ""
    parent_key: str | None = None  # a subagent's parent session
    created: float = 0.0  # unix seconds
    updated: float = 0.0
    switches: int = 0  # times the session's model changed
    history: tuple[HistoryEntry, ...] = ()

    def record(
        self,
        decision_id: str,
        model: str,
        tier: str,
        action: str,
        now: float,
        limit: int = HISTORY_LIMIT,
    ) -> SessionState:
        """The state after one more routed request (pure)."""
        switched = self.model is not None and model != self.model
        history = (*self.history, HistoryEntry(decision_id, model, action))[-limit:] if limit > 0 else ()
        # Every field, not `replace` (a third of the time on the request path), by position in
        # the fields' order (keywords cost more than the stores; tests/test_positional.py checks
        # the order, tests/sessions that a new field is carried over).
        return SessionState(
            self.key,  # key
            self.project,  # project
            model,  # model
            tier,  # tier
            self.turns + 1,  # turns
            decision_id,  # last_decision_id
            self.parent_key,  # parent_key
            self.created or now,  # created
            now,  # updated
            self.switches + (1 if switched else 0),  # switches
            history,  # history
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "project": self.project,
            "model": self.model,
            "tier": self.tier,
            "turns": self.turns,
            "last_decision_id": self.last_decision_id,
            "parent_key": self.parent_key,
            "created": self.created,
            "updated": self.updated,
            "switches": self.switches,
            "history": [
                {"decision_id": h.decision_id, "model": h.model, "action": h.action} for h in self.history
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionState:
        return cls(
            key=str(data["key"]),
            project=str(data["project"]),
            model=data.get("model"),
            tier=data.get("tier"),
            turns=int(data.get("turns", 0)),
            last_decision_id=str(data.get("last_decision_id", "")),
            parent_key=data.get("parent_key"),
            created=float(data.get("created", 0.0)),
            updated=float(data.get("updated", 0.0)),
            switches=int(data.get("switches", 0)),
            history=tuple(
                HistoryEntry(str(h["decision_id"]), str(h["model"]), str(h["action"]))
                for h in data.get("history", ())
            ),
        )


# Given the current state (None: no session yet), return the new state (None: delete it).
Updater = Callable[[SessionState | None], SessionState | None]


class SessionStore(Protocol):
    """Where session state lives. `update` is atomic per (project, key): concurrent updates of one
    session never lose each other's changes (the updater may be called more than once, so it must
    be pure)."""

    async def get(self, project: str, key: str) -> SessionState | None: ...

    async def put(self, state: SessionState, ttl: float | None = None) -> None: ...

    async def update(
        self, project: str, key: str, fn: Updater, ttl: float | None = None
    ) -> SessionState | None: ...

    async def delete(self, project: str, key: str) -> None: ...

    async def aclose(self) -> None: ...
