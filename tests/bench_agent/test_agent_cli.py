"""`benchroute bench run --driver builtin` and `benchroute bench pool` end to end (a fake provider
from config that answers in prose, a SQLite store), and the runner's exit status and budget."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from agent_harness import pick
from click.testing import CliRunner, Result

from benchroute.bench.agent.record import stats_of, tool_use
from benchroute.bench.budget import Budget
from benchroute.bench.tasks import Task, dump_tasks
from benchroute.cli.main import cli
from benchroute.settings import Settings
from benchroute.store.base import BenchResult
from benchroute.store.factory import started_store


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "benchroute.toml"
    db = tmp_path / "data" / "bench.db"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n\n[store]\nurl = "sqlite:///{db}"\n\n'
        '[providers.fk]\nkind = "fake"\nbase_url = "http://127.0.0.1:9"\n\n'
        '[providers.dead]\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\n\n'
        '[[models]]\nid = "fk/echo"\nprovider = "fk"\nupstream_id = "echo"\n'
        "input_price = 1.0\noutput_price = 2.0\n\n"
        '[[models]]\nid = "dead/model"\nprovider = "dead"\nupstream_id = "m"\n'
    )
    return path


@pytest.fixture
def suite(tmp_path: Path, agent_suite: list[Task]) -> Path:
    path = tmp_path / "agent-slice.jsonl"
    tasks = [pick(agent_suite, f"agent/{route}/py/easy/") for route in ("debug", "explain", "command")]
    dump_tasks(tasks, path)
    return path


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], obj={}, catch_exceptions=False)


def test_agent_run_records_prose_answers_as_malformed_failures(config: Path, suite: Path) -> None:
    args = ("bench", "run", "--suite", str(suite), "--models", "fk/echo", "--driver", "builtin")
    first = invoke(config, *args, "--run-id", "a1", "--no-progress")
    assert first.exit_code == 0, first.output
    assert "run a1: 3 scored, 0 passed" in first.output
    again = invoke(config, *args, "--run-id", "a1", "--no-progress")
    assert "0 scored" in again.output and "3 already done" in again.output

    without = invoke(config, "bench", "run", "--suite", str(suite), "--models", "fk/echo", "--no-progress")
    assert "3 unsupported here" in without.output  # agent tasks need a driver

    board = json.loads(invoke(config, "leaderboard", "--format", "json", "--no-default").output)
    cells = [c for c in board["cells"] if c["model"] == "fk/echo"]
    assert {c["cell"] for c in cells} == {"debug:easy", "explain:easy", "command:easy"}
    assert all(c["sources"] == ["bench:agent.builtin"] for c in cells)


def test_a_run_where_every_call_fails_exits_non_zero(config: Path, suite: Path) -> None:
    args = ["--config", str(config), "bench", "run", "--suite", str(suite), "--models", "dead/model"]
    args += ["--driver", "builtin", "--run-id", "dead", "--no-progress"]
    result = CliRunner().invoke(cli, args, obj={})
    assert result.exit_code != 0
    assert "every call failed (3); nothing was scored" in result.output
    assert "--run-id dead" in result.output


def test_pool_measures_missing_cells_within_the_daily_quota(config: Path, suite: Path) -> None:
    args = ("bench", "pool", "--project", "default", "--models", "fk/echo", "--suite", str(suite))
    args += ("--min-trials", "1", "--no-progress")
    first = invoke(config, *args, "--quota", "2")
    assert first.exit_code == 0, first.output
    assert "2 attempts planned (2 left today)" in first.output and "2 scored" in first.output
    second = invoke(config, *args, "--quota", "2")
    assert "today's quota (2 attempts) is used up" in second.output
    third = invoke(config, *args, "--quota", "10")
    assert "1 attempts planned" in third.output  # only the cell still never measured
    results = invoke(config, "bench", "results", "--model", "fk/echo", "--failures")
    assert "0/3 passed" in results.output


async def test_budget_waits_for_calls_in_flight_instead_of_stopping() -> None:
    budget = Budget(1.0)
    assert await budget.reserve(0.6)
    waiting = budget.reserve(0.6)  # does not fit while the first is in flight
    await budget.settle(0.6, 0.1)  # the first call cost far less than its estimate
    assert await waiting
    await budget.settle(0.6, 0.1)
    assert not await budget.reserve(0.9)  # 0.2 spent + 0.9 > 1.0 with nothing in flight: stop
    assert budget.spent == pytest.approx(0.2)


def test_tool_use_aggregates_malformed_rates(config: Path, suite: Path) -> None:
    invoke(config, "bench", "run", "--suite", str(suite), "--models", "fk/echo", "--driver", "builtin")

    async def rows() -> list[BenchResult]:
        settings = Settings(store={"url": f"sqlite:///{config.parent / 'data' / 'bench.db'}"})
        async with started_store(settings) as store:
            return list(await store.list_bench_results())

    stored = asyncio.run(rows())
    [use] = tool_use(stored)
    assert (use.model, use.driver, use.attempts, use.passed) == ("fk/echo", "builtin", 3, 0)
    assert use.missing_calls == 6 and use.malformed_rate == 1.0
    # through SQLite: the statistics come back from the agent_stats column
    assert all(r.agent_stats is not None and stats_of(r) is not None for r in stored)


def test_bench_agents_shows_the_leaderboard_section_per_driver(config: Path, suite: Path) -> None:
    invoke(config, "bench", "run", "--suite", str(suite), "--models", "fk/echo", "--driver", "builtin")
    section = json.loads(invoke(config, "bench", "agents", "--json").output)
    entry = section["builtin"]["models"]["fk/echo"]
    assert section["builtin"]["version"] == ["1.0"]
    assert entry["tool_use"]["attempts"] == 3 and entry["tool_use"]["malformed_rate"] == 1.0
    assert set(entry["cells"]) == {"debug:easy", "explain:easy", "command:easy"}
    assert all(c["trials"] == 1 and c["successes"] == 0 for c in entry["cells"].values())
    text = invoke(config, "bench", "agents").output
    assert "driver builtin (1.0)" in text and "malformed 100.0%" in text


def test_ctrl_c_names_the_run_and_how_to_resume(capsys: pytest.CaptureFixture[str]) -> None:
    from benchroute.cli.bench_agent import interrupt_hint

    with pytest.raises(SystemExit) as stopped, interrupt_hint("run-42"):
        raise KeyboardInterrupt
    assert stopped.value.code == 130
    err = capsys.readouterr().err
    assert "interrupted: run run-42" in err and "--run-id run-42" in err


async def test_continuous_agent_cycles_count_only_agent_evidence(agent_suite: list[Task]) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from benchroute.bench.agent.loop import BuiltinDriver
    from benchroute.bench.agent.record import for_driver
    from benchroute.bench.runner import BenchRunner, RunOptions
    from benchroute.bench.schedule import refresh_once
    from benchroute.catalog.model import Catalog, ModelInfo
    from benchroute.providers.fake import FakeProvider
    from benchroute.store.memory import MemoryStore

    tasks = for_driver([pick(agent_suite, "agent/debug/py/easy/")], "builtin")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    store = MemoryStore()
    # a fresh single-turn result in the same cell is no evidence about agent work
    single = BenchResult(
        run_id="st", suite="humanevalpack_fix", task_id="x", model="fk/echo", provider="fk",
        task_type="debug", difficulty="easy", score=1.0, passed=True, prompt_tokens=1, completion_tokens=1,
        cost_usd=0.0, latency_ms=1.0, time=now - timedelta(minutes=1),
    )  # fmt: skip
    await store.write_bench_results([single])
    catalog = Catalog([ModelInfo(id="fk/echo", provider="fk", upstream_id="echo")])
    runner = BenchRunner({"fk": FakeProvider("fk")}, catalog, store, agent=BuiltinDriver())
    options = RunOptions(run_id="cycle")
    day = timedelta(days=1)
    mixed = await refresh_once(
        runner, tasks, ["fk/echo"], options, now=now, max_age=day, min_trials=1, per_cell=1
    )
    assert mixed.planned == 0  # counting every suite, the cell looks fresh
    again = replace(options, run_id="c2")
    own = await refresh_once(
        runner, tasks, ["fk/echo"], again, now=now, max_age=day, min_trials=1, per_cell=1, own_suites=True
    )
    assert (own.planned, own.done) == (1, 1)
    [result] = await store.list_bench_results(run_id="c2")
    assert result.suite == "agent.builtin"
