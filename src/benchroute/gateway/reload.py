"""Background reloads: the free pool file (tiers.free_pool) is re-read when it changes, and the
engine is swapped for one with the new pool (requests in flight keep the engine they started with)."""

from __future__ import annotations

import asyncio
import logging

from benchroute.gateway.state import GatewayState
from benchroute.routing.base import FreePoolEngine
from benchroute.routing.freepool import FreePool, FreePoolSource

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


async def poll_free_pool(state: GatewayState, interval: float = POLL_SECONDS) -> None:
    """Runs until cancelled. Does nothing unless the engine has a free pool (`FreePoolEngine`)."""
    path = state.settings.tiers.free_pool
    engine = state.engine
    if not path or not isinstance(engine, FreePoolEngine):
        return
    source = FreePoolSource(path, engine.free_pool or FreePool.from_catalog(state.catalog))
    current = source.current()
    last_error: str | None = None
    while True:
        await asyncio.sleep(interval)
        try:
            pool = await asyncio.to_thread(source.current)
        except Exception:
            log.exception("reading the free pool %s failed", path)
            continue
        if source.last_error and source.last_error != last_error:
            log.warning("free pool not reloaded: %s", source.last_error)
        last_error = source.last_error
        engine = state.engine  # the live leaderboard may have swapped it meanwhile
        if pool is not current and isinstance(engine, FreePoolEngine):
            current = pool
            state.engine = engine.with_free_pool(pool)
            log.info("free pool reloaded from %s: %s", path, ", ".join(pool.ids()))
