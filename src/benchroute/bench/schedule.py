"""Continuous benchmarking: which (model, cell) pairs are stale or thin, and the loop that refreshes them.

A cell is *stale* when its newest result is older than `max_age`, *thin* when it has fewer than
`min_trials` results. Each cycle re-runs only those, oldest first, with tasks the model has not
done yet (or did longest ago). The clock and the sleep are injected so tests drive time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from benchroute.bench.runner import BenchRunner, RunOptions, RunSummary
from benchroute.bench.tasks import Task
from benchroute.store.base import BenchResult

_NEVER = datetime.min.replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class CellDue:
    model: str
    cell: str
    last_run: datetime | None
    trials: int
    why: str  # "never run", "stale", "thin"


def parse_every(text: str) -> timedelta:
    """'24h', '30m', '7d', '90s' -> timedelta."""
    text = text.strip().lower()
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    if not text or text[-1] not in units:
        raise ValueError(f"interval {text!r}: use a number with s, m, h, d or w (e.g. 24h)")
    try:
        value = float(text[:-1])
    except ValueError as exc:
        raise ValueError(f"interval {text!r}: not a number") from exc
    if value <= 0:
        raise ValueError(f"interval {text!r} must be positive")
    return timedelta(**{units[text[-1]]: value})


def _naive(t: datetime) -> datetime:
    return t.replace(tzinfo=None) - (t.utcoffset() or timedelta()) if t.tzinfo else t


def cells_due(
    results: Iterable[BenchResult],
    tasks: Sequence[Task],
    models: Sequence[str],
    *,
    now: datetime,
    max_age: timedelta,
    min_trials: int,
) -> list[CellDue]:
    """The (model, cell) pairs to refresh, oldest evidence first (never-run cells first of all)."""
    cells = sorted({t.cell for t in tasks})
    last: dict[tuple[str, str], datetime] = {}
    count: dict[tuple[str, str], int] = {}
    for r in results:
        key = (r.model, f"{r.task_type}:{r.difficulty}")
        count[key] = count.get(key, 0) + 1
        t = _naive(r.time)
        if key not in last or t > last[key]:
            last[key] = t
    due: list[CellDue] = []
    now_naive = _naive(now)
    for model in models:
        for c in cells:
            key = (model, c)
            newest = last.get(key)
            n = count.get(key, 0)
            if newest is None:
                due.append(CellDue(model, c, None, n, "never run"))
            elif now_naive - newest >= max_age:
                due.append(CellDue(model, c, newest, n, "stale"))
            elif n < min_trials:
                due.append(CellDue(model, c, newest, n, "thin"))
    due.sort(key=lambda d: (d.last_run or _NEVER, d.model, d.cell))
    return due


def plan_refresh(
    due: Sequence[CellDue],
    tasks: Sequence[Task],
    results: Iterable[BenchResult],
    *,
    per_cell: int,
) -> list[tuple[str, Task]]:
    """For each due cell, up to `per_cell` tasks: never-done tasks first, then the longest ago."""
    done_at: dict[tuple[str, str, str], datetime] = {}
    for r in results:
        key = (r.model, r.suite, r.task_id)
        t = _naive(r.time)
        if key not in done_at or t > done_at[key]:
            done_at[key] = t
    by_cell: dict[str, list[Task]] = {}
    for task in tasks:
        by_cell.setdefault(task.cell, []).append(task)
    pairs: list[tuple[str, Task]] = []
    for d in due:
        candidates = by_cell.get(d.cell, [])
        ordered = sorted(candidates, key=lambda t: (done_at.get((d.model, t.suite, t.id), _NEVER), t.id))
        pairs.extend((d.model, t) for t in ordered[:per_cell])
    return pairs


async def run_every(
    cycle: Callable[[datetime], Awaitable[object]],
    every: timedelta,
    *,
    clock: Callable[[], datetime],
    sleep: Callable[[float], Awaitable[None]],
    cycles: int | None = None,
) -> int:
    """Call `cycle(now)` now and then every `every` (measured start to start); returns cycles run."""
    ran = 0
    while cycles is None or ran < cycles:
        started = clock()
        await cycle(started)
        ran += 1
        if cycles is not None and ran >= cycles:
            break
        wait = (started + every - clock()).total_seconds()
        await sleep(max(0.0, wait))
    return ran


async def refresh_once(
    runner: BenchRunner,
    tasks: Sequence[Task],
    models: Sequence[str],
    options: RunOptions,
    *,
    now: datetime,
    max_age: timedelta,
    min_trials: int,
    per_cell: int,
    own_suites: bool = False,
) -> RunSummary:
    """One continuous-mode cycle: re-run the due cells (oldest first) under `options.run_id`.
    With `own_suites`, only results of the tasks' own suites count as evidence (agent suites: a
    single-turn result in the same cell says nothing about agent work)."""
    suites = {t.suite for t in tasks}
    results = [
        r
        for r in await runner.store.list_bench_results()
        if r.model in set(models) and (not own_suites or r.suite in suites)
    ]
    due = cells_due(results, tasks, models, now=now, max_age=max_age, min_trials=min_trials)
    pairs = plan_refresh(due, tasks, results, per_cell=per_cell)
    return await runner.run_pairs(pairs, options)
