"""The free pool file is re-read when it changes and the engine is swapped for one with the new pool."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gateway_harness import MODELS

from benchroute.catalog.model import Catalog
from benchroute.gateway.auth import Authenticator
from benchroute.gateway.reload import poll_free_pool
from benchroute.gateway.state import GatewayState, ProviderKeys
from benchroute.limits.health import ModelHealth
from benchroute.routing.freepool import FreePool
from benchroute.settings import Settings
from benchroute.store.memory import MemoryStore
from benchroute.store.writer import UsageWriter


@dataclass(frozen=True)
class PoolEngine:
    free_pool: FreePool

    def route(self, *args: Any) -> Any:
        raise NotImplementedError

    def with_free_pool(self, pool: FreePool) -> PoolEngine:
        return replace(self, free_pool=pool)


async def test_free_pool_file_change_swaps_the_engine(tmp_path: Path) -> None:
    pool_file = tmp_path / "free-pool.toml"
    pool_file.write_text('[[models]]\nid = "fake/a"\n')
    settings = Settings(tiers={"free_pool": str(pool_file)}, server={"discover_local": False})
    store = MemoryStore()
    state = GatewayState(
        settings=settings,
        store=store,
        writer=UsageWriter(store),
        providers={},
        catalog=Catalog(MODELS),
        engine=PoolEngine(FreePool((("fake/a", 1.0),))),
        auth=Authenticator(store, settings.server),
        health=ModelHealth(3, 60),
        provider_keys=ProviderKeys(store),
    )
    task = asyncio.ensure_future(poll_free_pool(state, interval=0.01))
    try:
        await asyncio.sleep(0.05)
        first = state.engine
        pool_file.write_text('[[models]]\nid = "fake/b"\nweight = 2\n[[models]]\nid = "fake/c"\n')
        os.utime(pool_file, ns=(1, 10**18))  # a different mtime even on coarse clocks
        for _ in range(100):
            await asyncio.sleep(0.01)
            if state.engine is not first:
                break
        assert state.engine.free_pool.models == (("fake/b", 2.0), ("fake/c", 1.0))  # type: ignore[attr-defined]
        pool_file.write_text("not toml [")
        await asyncio.sleep(0.05)
        assert state.engine.free_pool.ids() == ["fake/b", "fake/c"]  # type: ignore[attr-defined]  # last good pool kept
    finally:
        task.cancel()
