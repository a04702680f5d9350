"""The engine the gateway builds says by its type what it can reload: the live leaderboard and the
free pool reloader swap a new engine in only when it is a `SnapshotEngine` / `FreePoolEngine`,
so losing either capability would silently stop the swaps."""

from __future__ import annotations

from benchroute.catalog.loader import load_catalog
from benchroute.gateway.app import build_engine
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.routing.base import FreePoolEngine, SnapshotEngine
from benchroute.routing.freepool import FreePool
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings


def test_the_built_router_takes_a_new_snapshot_and_free_pool() -> None:
    settings = Settings()
    catalog = load_catalog(settings)
    engine = build_engine(settings, catalog)
    assert isinstance(engine, SnapshotEngine) and isinstance(engine, FreePoolEngine)
    empty = Snapshot()
    swapped = engine.with_snapshot(empty)
    assert isinstance(swapped, SnapshotEngine) and swapped.snapshot is empty
    assert engine.snapshot is not empty  # requests in flight keep the engine they started with
    pool = FreePool(((catalog.ids()[0], 1.0),))
    repooled = engine.with_free_pool(pool)
    assert isinstance(repooled, FreePoolEngine) and repooled.free_pool is pool


def test_the_static_router_has_nothing_to_reload() -> None:
    settings = Settings()
    static = StaticRouter(load_catalog(settings), settings.tiers)
    assert not isinstance(static, SnapshotEngine) and not isinstance(static, FreePoolEngine)
