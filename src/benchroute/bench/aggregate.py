"""Bench results -> leaderboard Snapshot, and merging with an imported snapshot.

Per model and cell: trials (n), successes (k, passed attempts), mean cost per task, mean prompt
and completion tokens, mean latency, date of the newest result, sources `bench:<suite>`. The
Wilson interval is `CellStats.wilson()`. By default only the newest result of each (model,
suite, task) counts, so re-running a task refreshes the evidence instead of weighting it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal

from benchroute.leaderboard.fit import Observation
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.routing.taxonomy import CODING_ROUTES, normalize_task_type
from benchroute.store.base import BenchResult

MergeMode = Literal["prefer_bench", "combine"]
Setting = Literal["single", "agent", "all"]
AGENT_SOURCE = "bench:agent"  # sources of agent-harness results: bench:agent.builtin, bench:agent.kilo


def is_agent(result: BenchResult) -> bool:
    """An agent-harness result (suite `agent.<driver>`): evidence for agent work, not single-turn."""
    return f"bench:{result.suite}".startswith(AGENT_SOURCE)


def in_setting(result: BenchResult, setting: Setting) -> bool:
    return setting == "all" or is_agent(result) == (setting == "agent")


def latest_per_task(results: Iterable[BenchResult]) -> list[BenchResult]:
    newest: dict[tuple[str, str, str], BenchResult] = {}
    for r in results:
        key = (r.model, r.suite, r.task_id)
        if key not in newest or r.time >= newest[key].time:
            newest[key] = r
    return list(newest.values())


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(
    results: Iterable[BenchResult], *, latest_only: bool = True, setting: Setting = "single"
) -> list[CellStats]:
    """Per (model, cell), the results of one setting: single-turn (default) and agent-harness
    results are different evidence and never pooled into one cell (`setting="all"` only on purpose)."""
    rows = [r for r in (latest_per_task(results) if latest_only else results) if in_setting(r, setting)]
    groups: dict[tuple[str, str], list[BenchResult]] = {}
    for r in rows:
        groups.setdefault((r.model, f"{r.task_type}:{r.difficulty}"), []).append(r)
    stats = []
    for (model, cell), group in sorted(groups.items()):
        stats.append(
            CellStats(
                model=model,
                cell=cell,
                trials=float(len(group)),
                successes=float(sum(1 for r in group if r.passed)),
                mean_cost=_mean([r.cost_usd for r in group]),
                mean_prompt_tokens=_mean([float(r.prompt_tokens) for r in group]),
                mean_completion_tokens=_mean([float(r.completion_tokens) for r in group]),
                latency_ms=_mean([r.latency_ms for r in group]),
                sources=tuple(sorted({f"bench:{r.suite}" for r in group})),
                last_run=max(r.time for r in group).date().isoformat(),
            )
        )
    return stats


def snapshot_from_results(
    results: Iterable[BenchResult],
    *,
    description: str = "benchroute bench results",
    created: str | None = None,
) -> Snapshot:
    """Raw cells: single-turn results as trials/successes (Wilson interval), agent results as the
    cell's agent numbers (their rate and 90% Wilson interval), never pooled with single-turn ones.
    A cell with only agent results has no single-turn trials: its single-turn numbers stay open."""
    rows = list(results)
    cells = {(s.model, s.cell): s for s in aggregate(rows)}
    for a in aggregate(rows, setting="agent"):
        low, high = a.wilson(1.645)
        base = cells.get((a.model, a.cell)) or replace(
            a, trials=0.0, successes=0.0, estimate=0.5, low=0.0, high=1.0, evidence_tasks=a.trials
        )
        cells[(a.model, a.cell)] = replace(
            base,
            agent_estimate=a.accuracy,
            agent_low=low,
            agent_high=high,
            sources=tuple(sorted(set(base.sources) | set(a.sources))),
            last_run=max(filter(None, (base.last_run, a.last_run)), default=None),
        )
    return Snapshot.from_stats(
        cells.values(),
        created=created or datetime.now(UTC).isoformat(timespec="seconds"),
        description=description,
    )


def _weighted(a: float | None, wa: float, b: float | None, wb: float) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return (a * wa + b * wb) / (wa + wb) if wa + wb > 0 else None


def combine_stats(a: CellStats, b: CellStats) -> CellStats:
    """Pooled evidence of two CellStats for the same model and cell."""
    return replace(
        a,
        trials=a.trials + b.trials,
        successes=a.successes + b.successes,
        mean_cost=_weighted(a.mean_cost, a.trials, b.mean_cost, b.trials),
        mean_prompt_tokens=_weighted(a.mean_prompt_tokens, a.trials, b.mean_prompt_tokens, b.trials),
        mean_completion_tokens=_weighted(
            a.mean_completion_tokens, a.trials, b.mean_completion_tokens, b.trials
        ),
        latency_ms=_weighted(a.latency_ms, a.trials, b.latency_ms, b.trials),
        sources=tuple(sorted(set(a.sources) | set(b.sources))),
        last_run=max(filter(None, (a.last_run, b.last_run)), default=None),
    )


def merge(own: Snapshot, imported: Snapshot, *, mode: MergeMode = "prefer_bench") -> Snapshot:
    """Own bench cells over an imported snapshot (the shipped default).

    `prefer_bench`: where we have our own evidence for a (model, cell) it replaces the imported
    one; `combine`: both are pooled. Every cell keeps `sources` naming where its evidence is from.
    """
    cells = dict(imported.cells)
    for key, stats in own.cells.items():
        if mode == "combine" and key in cells:
            cells[key] = combine_stats(stats, cells[key])
        else:
            cells[key] = stats
    description = f"{own.description} + {imported.description}".strip(" +")
    return Snapshot(cells, created=own.created or imported.created, description=description)


def observations(results: Iterable[BenchResult]) -> list[Observation]:
    """Bench results as observations of the measurement model (leaderboard/fit.py): per model,
    suite, route and difficulty, n tasks and k passed, newest result per task. A suite's difficulty
    level is its own benchmark (its own β); agent-harness suites set the fit's agent term. Results
    on routes that are not about code are left out (no coding route is estimated from them)."""
    groups: dict[tuple[str, str, str, str], list[BenchResult]] = {}
    for r in latest_per_task(results):
        try:
            route = normalize_task_type(r.task_type)
        except ValueError:
            continue
        if route in CODING_ROUTES:
            groups.setdefault((r.model, r.suite, route, r.difficulty), []).append(r)
    return [
        Observation(
            model=model,
            benchmark=f"bench:{suite}/{route}:{level}",
            route=route,
            agent=is_agent(group[0]),
            n=float(len(group)),
            k=float(sum(1 for r in group if r.passed)),
            source=f"bench:{suite}",
            date=max(r.time for r in group).date().isoformat(),
            cost_per_task=sum(r.cost_usd for r in group) / len(group),
        )
        for (model, suite, route, level), group in sorted(groups.items())
    ]
