"""The gateway's leaderboard: public HTML and JSON of the current snapshot, and bench results written
into the store of a running gateway reaching its router without a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench_e2e_harness import BASE, CELL, live_gateway, result, static_engine

from benchroute.bench.live import poll_leaderboard
from benchroute.bench.refresh import LeaderboardSource, ResultsStamp, build_snapshot, stored_stamp
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.routing.router import Router
from benchroute.settings import Settings
from benchroute.store.factory import started_store
from benchroute.store.memory import MemoryStore


async def test_source_rebuilds_only_when_results_change() -> None:
    store = MemoryStore()
    source = LeaderboardSource(store, BASE)
    assert source.snapshot is BASE
    assert await source.refresh()  # the first look always builds
    assert source.stamp == ResultsStamp(0, None)
    first = source.snapshot
    assert first.get("fake/cheap", CELL) == BASE.get("fake/cheap", CELL)
    assert not await source.refresh()
    assert source.snapshot is first

    await store.write_bench_results([result(1, passed=True), result(2, passed=False)])
    assert await source.refresh()
    assert source.stamp == ResultsStamp(2, datetime(2026, 11, 1, 12, 2, tzinfo=UTC))
    cheap = source.snapshot.get("fake/cheap", CELL)
    assert cheap is not None and (cheap.trials, cheap.successes) == (2, 1)
    assert cheap.sources == ("bench:smoke",)
    # untouched cells keep the base's evidence
    assert source.snapshot.get("fake/strong", CELL) == BASE.get("fake/strong", CELL)
    assert not await source.refresh()
    assert await source.refresh(force=True)


async def test_sqlite_stamp_comes_from_one_query_and_matches_the_results(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, store={"url": f"sqlite:///{tmp_path / 'lb.db'}"})
    async with started_store(settings) as store:
        assert await stored_stamp(store) == ResultsStamp(0, None)
        source = LeaderboardSource(store, BASE)
        assert await source.refresh()
        await store.write_bench_results([result(1, passed=True), result(7, passed=True)])
        stamp = await stored_stamp(store)
        assert stamp == ResultsStamp.of(await store.list_bench_results())
        assert stamp == ResultsStamp(2, datetime(2026, 11, 1, 12, 7, tzinfo=UTC))
        assert await source.refresh() and source.stamp == stamp
        assert not await source.refresh()
        cheap = source.snapshot.get("fake/cheap", CELL)
        assert cheap is not None and (cheap.trials, cheap.successes) == (2, 2)
    assert await stored_stamp(MemoryStore()) is None  # other stores: the results are read instead


def test_build_snapshot_combine_pools_with_the_base() -> None:
    pooled = build_snapshot([result(1, passed=True)], BASE, mode="combine").get("fake/cheap", CELL)
    assert pooled is not None and (pooled.trials, pooled.successes) == (41, 9)
    assert pooled.sources == ("base", "bench:smoke")


async def test_leaderboard_json_and_html_are_public_and_filtered() -> None:
    async with live_gateway() as gw:
        status, doc = await gw.get("/v1/leaderboard")
        assert status == 200
        assert doc["object"] == "leaderboard" and doc["models"] == ["fake/cheap", "fake/strong"]
        cheap = next(c for c in doc["cells"] if c["model"] == "fake/cheap")
        assert (cheap["trials"], cheap["successes"], cheap["accuracy"]) == (40, 8, 0.2)
        low, high = BASE.cells[("fake/cheap", CELL)].wilson()
        assert (cheap["wilson_low"], cheap["wilson_high"]) == (low, high)
        assert doc["bench_results"] == {"count": 0, "newest": None}

        status, doc = await gw.get("/v1/leaderboard", model="fake/strong")
        assert [c["model"] for c in doc["cells"]] == ["fake/strong"]
        status, doc = await gw.get("/v1/leaderboard", cell="implement")  # a task type matches its cells
        assert len(doc["cells"]) == 2
        status, doc = await gw.get("/v1/leaderboard", cell="docs:hard")  # a cell with no results
        assert status == 200 and doc["cells"] == []
        status, doc = await gw.get("/v1/leaderboard", cell="nonsense")
        assert status == 400 and doc["error"]["param"] == "cell"

        status, page = await gw.get("/leaderboard")
        assert status == 200 and isinstance(page, bytes)
        assert page.startswith(b"<!doctype html>") and b"fake/cheap" in page and b"test base" in page


async def test_refresh_needs_an_admin_key() -> None:
    async with live_gateway() as gw:
        status, doc = await gw.refresh(gw.key)
        assert status == 403 and doc["error"]["code"] == "forbidden"
        status, doc = await gw.refresh("")
        assert status == 401
        status, doc = await gw.refresh()
        assert status == 200 and doc == {
            "refreshed": False,  # nothing new since the refresh at startup
            "routing": True,
            "bench_results": {"count": 0, "newest": None},
            "cells": 2,
        }


async def test_new_bench_results_reach_the_router_without_a_restart() -> None:
    async with live_gateway() as gw:
        assert await gw.routed_model("write a parser", "s1") == "fake/strong"
        engine_before = gw.state.engine

        # a bench run proves the cheap model on this cell
        await gw.store.write_bench_results([result(i, passed=True) for i in range(30)])
        status, doc = await gw.refresh()
        assert status == 200 and doc["refreshed"] is True and doc["bench_results"]["count"] == 30

        assert gw.state.engine is not engine_before
        assert isinstance(gw.state.engine, Router)
        stats = gw.state.engine.snapshot.get("fake/cheap", CELL)
        assert stats is not None and (stats.trials, stats.successes) == (30, 30)
        _, board = await gw.get("/v1/leaderboard", model="fake/cheap")
        [cheap] = board["cells"]
        assert (cheap["trials"], cheap["successes"], cheap["sources"]) == (30, 30, ["bench:smoke"])
        assert cheap["last_run"] == "2026-11-01" and cheap["latency_ms"] == 120.0

        assert await gw.routed_model("write another parser", "s2") == "fake/cheap"
        _, decisions = await gw.get_decisions()
        assert [d["decision"]["model"] for d in decisions] == ["fake/cheap", "fake/strong"]


async def test_the_periodic_refresh_swaps_without_being_asked() -> None:
    async with live_gateway() as gw:
        source: LeaderboardSource = gw.app_state.leaderboard
        poller = asyncio.create_task(poll_leaderboard(gw.state, source, interval=0.02))
        try:
            await gw.store.write_bench_results([result(i, passed=True) for i in range(30)])
            for _ in range(200):
                snap = getattr(gw.state.engine, "snapshot", None)
                if isinstance(snap, Snapshot) and snap.get("fake/cheap", CELL) != BASE.get(
                    "fake/cheap", CELL
                ):
                    break
                await asyncio.sleep(0.01)
            else:
                pytest.fail("the poller never swapped the new snapshot in")
        finally:
            poller.cancel()
        assert await gw.routed_model("write a parser", "s1") == "fake/cheap"


async def test_static_router_still_serves_the_refreshed_leaderboard() -> None:
    engine = static_engine()
    async with live_gateway(engine=engine) as gw:
        await gw.store.write_bench_results([result(1, passed=False, model="fake/strong")])
        status, doc = await gw.refresh()
        assert status == 200 and doc["refreshed"] is True and doc["routing"] is False
        assert gw.state.engine is engine  # nothing to swap
        _, board = await gw.get("/v1/leaderboard", model="fake/strong")
        # the static router's base is the shipped default; the bench cell sits over it
        ours = [c for c in board["cells"] if c["cell"] == CELL]
        assert [(c["trials"], c["successes"]) for c in ours] == [(1, 0)]


async def test_route_preview_follows_the_refreshed_leaderboard() -> None:
    async with live_gateway() as gw:
        if "/v1/route" not in gw.paths:
            pytest.skip("POST /v1/route is not served by this gateway")
        assert (await gw.preview("write a parser"))["model"] == "fake/strong"
        await gw.store.write_bench_results([result(i, passed=True) for i in range(30)])
        assert (await gw.refresh())[0] == 200
        decision = await gw.preview("write a parser")
        # fake/cheap is now both the cheapest and the most accurate
        assert decision["model"] == "fake/cheap" and decision["reason"] in (
            "cheapest_above_bar",
            "best_accuracy",
        )
