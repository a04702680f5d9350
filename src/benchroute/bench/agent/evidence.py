"""Agent results as evidence, for the leaderboard's agent section and the router's capability
signal: per driver, model and cell the trials and successes (Wilson interval from `CellStats`),
and per driver and model the tool-use record (malformed-call rate, turns, cost, wall time).

`agent_section(results)` is the whole hook: a JSON-able dict the leaderboard renders as its own
section per driver; `malformed_rates(results)` is the per-model signal for routing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from benchroute.bench.agent.record import AgentStats, stats_of, tool_use
from benchroute.bench.aggregate import aggregate, latest_per_task
from benchroute.store.base import BenchResult


def agent_results(results: Iterable[BenchResult]) -> list[BenchResult]:
    """The results of agent attempts (they carry agent statistics), newest per task."""
    return [r for r in latest_per_task(results) if stats_of(r) is not None]


def _stats(r: BenchResult) -> AgentStats:
    stats = stats_of(r)
    assert stats is not None
    return stats


def malformed_rates(results: Iterable[BenchResult]) -> dict[str, float]:
    """Per model, over every driver: malformed tool calls per chance to call a tool."""
    per_model: dict[str, tuple[int, int]] = {}
    for use in tool_use(agent_results(results)):
        bad, chances = per_model.get(use.model, (0, 0))
        per_model[use.model] = (bad + use.malformed, chances + use.tool_calls + use.missing_calls)
    return {model: bad / max(1, chances) for model, (bad, chances) in per_model.items()}


def agent_section(results: Iterable[BenchResult]) -> dict[str, Any]:
    """{driver: {"version": …, "models": {model: {"tool_use": {…}, "cells": {cell: {…}}}}}}."""
    rows = agent_results(results)
    section: dict[str, Any] = {}
    by_driver: dict[str, list[BenchResult]] = {}
    for r in rows:
        by_driver.setdefault(_stats(r).driver, []).append(r)
    for driver, group in sorted(by_driver.items()):
        models: dict[str, Any] = {}
        for use in tool_use(group):
            mine = [r for r in group if r.model == use.model]
            models[use.model] = {
                "tool_use": {
                    "attempts": use.attempts,
                    "passed": use.passed,
                    "tool_calls": use.tool_calls,
                    "malformed": use.malformed,
                    "malformed_rate": round(use.malformed_rate, 4),
                    "mean_turns": round(use.mean_turns, 2),
                    "mean_cost_usd": sum(r.cost_usd for r in mine) / len(mine),
                    "mean_wall_s": sum(_stats(r).wall_s for r in mine) / len(mine),
                    "efforts": sorted({_stats(r).effort or "default" for r in mine}),
                },
                "cells": {},
            }
        for cell in aggregate(group, latest_only=False, setting="agent"):
            low, high = cell.wilson()
            models[cell.model]["cells"][cell.cell] = {
                "trials": cell.trials,
                "successes": cell.successes,
                "rate": cell.successes / cell.trials if cell.trials else 0.0,
                "wilson": [round(low, 4), round(high, 4)],
            }
        section[driver] = {"version": sorted({_stats(r).driver_version for r in group}), "models": models}
    return section
