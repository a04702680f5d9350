"""The seam between the gateway and the routing core.

The gateway parses a request into a canonical `ChatRequest`, then asks a `RoutingEngine` for a
`Decision`. Engines are pure and synchronous: no I/O, the same inputs give the same Decision.
Whatever changes between calls (models in cooldown, the session's current model) is passed in.

Engines that route on data the gateway reloads say so by their type: a `SnapshotEngine` routes on
a leaderboard snapshot and gives a copy routing on a new one (the live leaderboard swaps it in); a
`FreePoolEngine` does the same for the free pool (the free pool file is re-read). The static
router is neither; the gateway checks with `isinstance`, never by probing attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from benchroute.quickinit import quick_init
from benchroute.routing.decision import Decision
from benchroute.routing.evidence import Snapshot
from benchroute.routing.freepool import FreePool
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest


@quick_init
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


@runtime_checkable
class SnapshotEngine(RoutingEngine, Protocol):
    """An engine that routes on a leaderboard snapshot."""

    @property
    def snapshot(self) -> Snapshot: ...

    def with_snapshot(self, snapshot: Snapshot) -> RoutingEngine:
        """A copy routing on `snapshot` (this engine is left as it is: requests in flight keep it)."""
        ...


@runtime_checkable
class FreePoolEngine(RoutingEngine, Protocol):
    """An engine with a free pool (the `auto/free` tier) that can be reloaded."""

    @property
    def free_pool(self) -> FreePool: ...

    def with_free_pool(self, pool: FreePool) -> RoutingEngine:
        """A copy routing `auto/free` over `pool`."""
        ...


@runtime_checkable
class ProjectSnapshotEngine(SnapshotEngine, Protocol):
    """A snapshot engine that routes named projects on their own snapshots (a project's pool
    results over the shared evidence; bench/refresh.py builds them when the results change)."""

    def with_project_snapshots(self, snapshots: Mapping[str, Snapshot]) -> RoutingEngine:
        """A copy routing each named project on its snapshot, the others on the shared one."""
        ...


@runtime_checkable
class RoutingTableEngine(Protocol):
    """An engine that can show its routing table: per route and difficulty, the model it picks at
    dial 0, 0.5 and 1, as `[{"route", "dial_0", "dial_0.5", "dial_1", "dial_<d>_detail"...}]`."""

    def routing_table(self) -> Sequence[Mapping[str, str]] | None: ...
