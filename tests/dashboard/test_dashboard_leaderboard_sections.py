"""The dashboard's leaderboard with a real Router: its routing table (model, estimate, interval and
cost at dial 0, 0.5 and 1 per coding cell) and the agent results as their own section per driver;
the static export carries both."""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from client_harness import Dash
from dashboard_harness import build_app, seed, settings_for
from starlette.testclient import TestClient

from benchroute.bench.agent.record import AgentStats
from benchroute.catalog.loader import load_catalog
from benchroute.routing.evidence import load_default_snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.routing.taxonomy import CODING_ROUTES
from benchroute.store.base import BenchResult
from benchroute.store.memory import MemoryStore


def agent_result(task: str, passed: bool, malformed: int) -> BenchResult:
    stats = AgentStats(driver="kilo", driver_version="1.2.3", turns=4, tool_calls=10)
    stats.malformed = {"bad_json": malformed} if malformed else {}
    return BenchResult(
        run_id="r",
        suite="agent.kilo",
        task_id=task,
        model="openai/gpt-5-mini",
        provider="openai",
        task_type="debug",
        difficulty="easy",
        score=float(passed),
        passed=passed,
        prompt_tokens=900,
        completion_tokens=300,
        cost_usd=0.02,
        latency_ms=9000.0,
        time=datetime(2026, 3, 1, tzinfo=UTC),
        reason="tests pass" if passed else "tests fail",
        agent_stats=asdict(stats),
    )


def test_leaderboard_shows_the_routers_table_and_the_agent_section(tmp_path: Path) -> None:
    store = MemoryStore()
    keys = asyncio.run(seed(store))
    asyncio.run(store.write_bench_results([agent_result(f"t{i}", i < 3, i % 2) for i in range(4)]))
    settings = settings_for(tmp_path)
    router = Router(load_catalog(), load_default_snapshot(), FakeClassifier.fixed({"debug:easy": 1.0}, 0.9))
    with TestClient(build_app(settings, store=store, engine=router)) as client:
        dash = Dash(client, store, keys)
        dash.login(keys.alpha)
        page = client.get("/dashboard/leaderboard").text
        body = re.search(r'<table id="routing-table">.*?<tbody>(.*?)</tbody>', page, re.S)
        assert body is not None
        rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
        assert len(rows) == 3 * len(CODING_ROUTES)
        expected = router.routing_table()[0]
        assert expected["route"] == "implement:easy" and expected["dial_0"] in rows[0]
        assert re.search(r"A 0\.\d\d \[0\.\d\d, 0\.\d\d\] · \$\d+\.\d{4}", rows[0])
        agents = re.search(r'<table class="agent-results" id="agent-table-kilo">(.*?)</table>', page, re.S)
        assert agents is not None and "Agent tasks: kilo driver" in page
        assert "openai/gpt-5-mini" in agents.group(1) and "3/4" in agents.group(1)
        assert "5.0%" in agents.group(1)  # 2 malformed of 40 calls
        assert "debug:easy 3/4" in agents.group(1)
        static = client.get("/dashboard/leaderboard.html").text
        assert "<table id=routing-table>" in static and 'id="agent-kilo"' in static
        assert static.count("<tr>") > 3 * len(CODING_ROUTES)
