"""Agent statistics live in the bench result's `agent_stats` column; rows written before it carried
them at the end of `reason` (`⟦agent {json}⟧`), and those still read the same."""

from __future__ import annotations

from datetime import UTC, datetime

from benchroute.bench.agent.evidence import agent_results, malformed_rates
from benchroute.bench.agent.record import AgentStats, reason_of, stats_of, tool_use
from benchroute.store.base import BenchResult


def result(task_id: str, *, reason: str = "", agent_stats: dict[str, object] | None = None) -> BenchResult:
    return BenchResult(
        run_id="r",
        suite="agent.builtin",
        task_id=task_id,
        model="m/a",
        provider="p",
        task_type="debug",
        difficulty="easy",
        score=0.0,
        passed=False,
        prompt_tokens=10,
        completion_tokens=5,
        cost_usd=0.01,
        latency_ms=1000.0,
        time=datetime(2026, 12, 1, tzinfo=UTC),
        checker="agent:tests",
        reason=reason,
        agent_stats=agent_stats,
    )


STATS = AgentStats(driver="builtin", driver_version="1", turns=3, tool_calls=4, malformed={"bad_json": 1})
LEGACY = 'hidden tests fail ⟦agent {"driver":"builtin","driver_version":"1","turns":3,"tool_calls":4,'
LEGACY += '"malformed":{"bad_json":1},"unknown_field":7}⟧'


def test_stats_come_from_the_column() -> None:
    row = result("t1", reason="hidden tests fail", agent_stats=STATS.to_dict())
    assert stats_of(row) == STATS and reason_of(row) == "hidden tests fail"


def test_old_rows_with_the_reason_suffix_still_read_the_same() -> None:
    row = result("t1", reason=LEGACY)
    assert stats_of(row) == STATS and reason_of(row) == "hidden tests fail"


def test_single_turn_and_unreadable_rows_have_no_stats() -> None:
    assert stats_of(result("t1", reason="assertion failed")) is None
    broken = "x ⟦agent {not json⟧"
    assert stats_of(result("t2", reason=broken)) is None and reason_of(result("t2", reason=broken)) == broken
    assert stats_of(result("t3", agent_stats={"turns": 3})) is None  # no driver: not agent statistics


def test_old_and_new_rows_aggregate_together() -> None:
    rows = [result("t1", reason=LEGACY), result("t2", reason="no answer", agent_stats=STATS.to_dict())]
    [use] = tool_use(rows)
    assert (use.attempts, use.tool_calls, use.malformed, use.mean_turns) == (2, 8, 2, 3.0)
    assert len(agent_results([*rows, result("t3", reason="single turn")])) == 2
    assert malformed_rates(rows) == {"m/a": 2 / 8}
