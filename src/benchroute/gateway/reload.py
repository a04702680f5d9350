"""Background reloads: the free pool file (tiers.free_pool) is re-read when it changes, and the
engine is swapped for one with the new pool (requests in flight keep the engine they started with)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from benchroute.gateway.state import GatewayState

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


async def poll_free_pool(state: GatewayState, interval: float = POLL_SECONDS) -> None:
    """Runs until cancelled. Does nothing unless the engine supports `with_free_pool`."""
    path = state.settings.tiers.free_pool
    with_pool = getattr(state.engine, "with_free_pool", None)
    if not path or with_pool is None:
        return
    from benchroute.routing.freepool import FreePool, FreePoolSource

    source = FreePoolSource(
        path, getattr(state.engine, "free_pool", None) or FreePool.from_catalog(state.catalog)
    )
    current: Any = source.current()
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
        if pool is not current:
            current = pool
            state.engine = state.engine.with_free_pool(pool)  # type: ignore[attr-defined]
            log.info("free pool reloaded from %s: %s", path, ", ".join(pool.ids()))
