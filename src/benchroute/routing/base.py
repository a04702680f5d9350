"""The seam between the gateway and the routing core.

The gateway parses a request into a canonical `ChatRequest`, then asks a `RoutingEngine` for a
`Decision`. Engines are pure and synchronous: no I/O, the same inputs give the same Decision.
Whatever changes between calls (models in cooldown, the session's current model) is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from benchroute.routing.decision import Decision
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest


@dataclass(frozen=True, slots=True)
class RouteContext:
    """Per-call facts the engine may not look up itself."""

    unavailable: frozenset[str] = frozenset()  # catalog ids in cooldown
    session_key: str | None = None
    session_model: str | None = None  # the model the session is on, if any
    session_turns: int = 0
    extra: dict[str, str] = field(default_factory=dict)


class RoutingEngine(Protocol):
    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision: ...
