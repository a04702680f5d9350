"""Everything the gateway needs at run time, built once in the app's lifespan (no module globals)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from benchroute.catalog.model import Catalog
from benchroute.gateway.auth import Authenticator
from benchroute.gateway.cache import TTLCache
from benchroute.gateway.concurrency import ProjectGate
from benchroute.gateway.durable import UsageWal
from benchroute.gateway.loopbudget import LoopBudget
from benchroute.gateway.tokens import TokenCounter
from benchroute.limits.base import Limiter
from benchroute.limits.health import ModelHealth
from benchroute.limits.memory import MemoryLimiter
from benchroute.providers.base import Provider
from benchroute.providers.readiness import ProviderReadiness, provider_readiness
from benchroute.routing.base import RoutingEngine
from benchroute.settings import ProjectSettings, Settings
from benchroute.store.base import Store
from benchroute.store.sink import UsageSink

if TYPE_CHECKING:
    from benchroute.gateway.projects import ProjectSettingsSource
    from benchroute.providers.discovery import LocalServer
    from benchroute.sessions.service import SessionRouter


T = TypeVar("T")


class ProviderKeys:
    """BYOK provider keys per (project, provider), cached briefly so requests do not read the store."""

    def __init__(
        self, store: Store, *, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._store = store
        self._cache: TTLCache[tuple[str, str], str | None] = TTLCache(ttl, clock=clock)

    async def get(self, project: str, provider: str) -> str | None:
        return await self._cache.get(
            (project, provider), lambda: self._store.get_provider_key(project, provider)
        )


class InFlight:
    """Counts requests in progress so shutdown can wait for streams to finish (bounded)."""

    def __init__(self) -> None:
        self.count = 0
        self._idle: asyncio.Event | None = None  # made by the first `wait_idle` (shutdown)

    def enter(self) -> None:
        self.count += 1
        if self._idle is not None:
            self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count <= 0:
            self.count = 0
            if self._idle is not None:
                self._idle.set()

    async def wait_idle(self, grace: float) -> bool:
        if self._idle is None:
            self._idle = asyncio.Event()
            if self.count == 0:
                self._idle.set()
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True


@dataclass(slots=True)
class GatewayState:
    settings: Settings
    store: Store
    writer: UsageSink
    providers: dict[str, Provider]
    catalog: Catalog
    engine: RoutingEngine
    auth: Authenticator
    health: ModelHealth
    provider_keys: ProviderKeys
    tokens: TokenCounter = field(default_factory=TokenCounter)
    inflight: InFlight = field(default_factory=InFlight)
    discovered: list[LocalServer] = field(default_factory=list)  # local providers found at start
    started: float = field(default_factory=time.time)
    limiter: Limiter = field(default_factory=MemoryLimiter)  # limits and budgets (Redis when configured)
    route_gate: ProjectGate | None = None  # concurrent /v1/route previews per project (made on first use)
    wal: UsageWal | None = None  # usage records written ahead of each response's last byte
    projects: ProjectSettingsSource | None = None  # config + dashboard overrides; None: config only
    sessions: SessionRouter | None = None  # session state (docs/sessions.md); None: per-request routing
    # CPU time per loop pass for the request path (`server.loop_budget`; off unless given)
    loop_budget: LoopBudget = field(default_factory=lambda: LoopBudget(0.0))
    _readiness: dict[str, ProviderReadiness] | None = None

    def readiness(self) -> dict[str, ProviderReadiness]:
        """`provider_readiness` of this gateway's settings, environment and local servers, read
        once: the providers took their keys from the environment when they were built, so a later
        change of it changes nothing they do (it was read on every request to a keyless provider)."""
        if self._readiness is None:
            self._readiness = provider_readiness(self.settings, self.discovered)
        return self._readiness

    def project(self, name: str) -> Coroutine[Any, Any, ProjectSettings]:
        """A project's settings as requests use them: the config with the overrides saved from the
        dashboard merged over it (cached briefly; a change applies from the next request). (The
        source's own coroutine: one of this method's would only pass it on.)"""
        if self.projects is None:
            return _given(self.settings.project(name))
        return self.projects.get(name)


async def _given(value: T) -> T:
    return value
