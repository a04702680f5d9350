"""Continuous mode: stale or thin cells, oldest first, driven by a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from benchroute.bench.runner import BenchRunner, RunOptions
from benchroute.bench.schedule import cells_due, parse_every, plan_refresh, refresh_once, run_every
from benchroute.bench.tasks import Task
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.fake import FakeProvider
from benchroute.store.base import BenchResult
from benchroute.store.memory import MemoryStore

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def mk_task(n: int, cell: str) -> Task:
    task_type, difficulty = cell.split(":")
    return Task(
        id=f"s/{n}",
        suite="s",
        task_type=task_type,
        difficulty=difficulty,
        messages=({"role": "user", "content": f"PASS {n}"},),
        checker={"kind": "regex", "pattern": "PASS"},
    )


def result(task: Task, model: str, when: datetime) -> BenchResult:
    return BenchResult(
        run_id="old",
        suite=task.suite,
        task_id=task.id,
        model=model,
        provider="fk",
        task_type=task.task_type,
        difficulty=task.difficulty,
        score=1.0,
        passed=True,
        prompt_tokens=1,
        completion_tokens=1,
        cost_usd=0.0,
        latency_ms=1.0,
        time=when,
    )


TASKS = [mk_task(i, c) for i, c in enumerate(["math:easy"] * 3 + ["edit:hard"] * 3 + ["plan:medium"] * 3)]


def test_parse_every() -> None:
    assert parse_every("24h") == timedelta(hours=24)
    assert parse_every("30m") == timedelta(minutes=30)
    assert parse_every("7d") == timedelta(days=7)
    with pytest.raises(ValueError):
        parse_every("soon")
    with pytest.raises(ValueError):
        parse_every("0h")


def test_cells_due_orders_never_run_then_oldest_and_skips_fresh_full_cells() -> None:
    results = [result(t, "m", T0 - timedelta(days=3)) for t in TASKS[0:3]]  # math: stale
    results += [result(t, "m", T0 - timedelta(hours=1)) for t in TASKS[3:6]]  # edit: fresh, full
    results += [result(TASKS[6], "m", T0 - timedelta(hours=2))]  # plan: fresh but thin
    due = cells_due(results, TASKS, ["m"], now=T0, max_age=timedelta(days=1), min_trials=2)
    assert [(d.cell, d.why) for d in due] == [("math:easy", "stale"), ("plan:medium", "thin")]
    due_two = cells_due(results, TASKS, ["m", "n"], now=T0, max_age=timedelta(days=1), min_trials=2)
    assert [(d.model, d.why) for d in due_two][:3] == [("n", "never run")] * 3


def test_plan_refresh_prefers_undone_then_longest_ago_tasks() -> None:
    results = [
        result(TASKS[6], "m", T0 - timedelta(hours=2)),
        result(TASKS[7], "m", T0 - timedelta(hours=5)),
    ]
    due = cells_due(results, TASKS, ["m"], now=T0, max_age=timedelta(days=1), min_trials=5)
    plan = plan_refresh([d for d in due if d.cell == "plan:medium"], TASKS, results, per_cell=2)
    assert [t.id for _, t in plan] == ["s/8", "s/7"]


async def test_run_every_with_a_fake_clock() -> None:
    now = [T0]
    slept: list[float] = []
    seen: list[datetime] = []

    def clock() -> datetime:
        return now[0]

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += timedelta(seconds=seconds)

    async def cycle(at: datetime) -> None:
        seen.append(at)
        now[0] += timedelta(minutes=10)  # a cycle takes time: the next starts 24h after this one began

    ran = await run_every(cycle, timedelta(hours=24), clock=clock, sleep=sleep, cycles=3)
    assert ran == 3
    assert seen == [T0, T0 + timedelta(hours=24), T0 + timedelta(hours=48)]
    assert slept == [timedelta(hours=23, minutes=50).total_seconds()] * 2


async def test_refresh_once_reruns_only_due_cells() -> None:
    store = MemoryStore()
    await store.write_bench_results([result(t, "fk/a", T0 - timedelta(hours=1)) for t in TASKS[0:6]])
    await store.write_bench_results([result(t, "fk/a", T0 - timedelta(days=9)) for t in TASKS[6:9]])
    provider = FakeProvider("fk")
    runner = BenchRunner(
        {"fk": provider},
        Catalog([ModelInfo(id="fk/a", provider="fk", upstream_id="a")]),
        store,
        clock=lambda: T0,
    )
    summary = await refresh_once(
        runner,
        TASKS,
        ["fk/a"],
        RunOptions(run_id="cycle-1"),
        now=T0,
        max_age=timedelta(days=1),
        min_trials=3,
        per_cell=3,
    )
    assert summary.done == 3
    fresh = await store.list_bench_results(run_id="cycle-1")
    assert {r.task_id for r in fresh} == {"s/6", "s/7", "s/8"}
