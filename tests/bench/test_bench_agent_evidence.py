"""Agent results as evidence: kept apart from single-turn results, fitted on the base's scale with
the agent term, and their malformed-tool-call rate carried in the snapshot."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from benchroute.bench.agent.record import AgentStats
from benchroute.bench.aggregate import aggregate, observations, snapshot_from_results
from benchroute.bench.refresh import build_snapshot
from benchroute.leaderboard.build import fitted_from, snapshot_from_fit
from benchroute.leaderboard.fit import Observation, Priors, fit
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.store.base import BenchResult

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def res(
    task: str, passed: bool, *, model: str = "m/a", suite: str = "humaneval", malformed: int = 0
) -> BenchResult:
    agent_stats = None
    if suite.startswith("agent."):
        stats = AgentStats(driver=suite.split(".")[1], driver_version="1.0", turns=3, tool_calls=10)
        stats.malformed = {"bad_json": malformed} if malformed else {}
        agent_stats = asdict(stats)
    return BenchResult(
        run_id="r",
        suite=suite,
        task_id=task,
        model=model,
        provider="p",
        task_type="debug",
        difficulty="medium",
        score=float(passed),
        passed=passed,
        prompt_tokens=100,
        completion_tokens=50,
        cost_usd=0.01,
        latency_ms=100.0,
        time=T0,
        reason="ok",
        agent_stats=agent_stats,
    )


def fitted_base() -> Snapshot:
    obs = [
        Observation("m/a", "swe", "debug", True, 100, 60, source="swe"),
        Observation("m/b", "swe", "debug", True, 100, 30, source="swe"),
        Observation("m/a", "poly", "implement", False, 100, 50, source="poly"),
        Observation("m/b", "poly", "implement", False, 100, 20, source="poly"),
    ]
    return snapshot_from_fit(fit(obs, Priors(route_sd=0.35, agent_sd=0.2)), obs)


def test_single_turn_and_agent_results_are_never_pooled_in_one_cell() -> None:
    results = [res(f"s{i}", True) for i in range(10)]
    results += [res(f"a{i}", i < 2, suite="agent.builtin") for i in range(10)]
    [single] = aggregate(results)
    [agent] = aggregate(results, setting="agent")
    assert (single.trials, single.successes, single.sources) == (10, 10, ("bench:humaneval",))
    assert (agent.trials, agent.successes, agent.sources) == (10, 2, ("bench:agent.builtin",))
    cell = snapshot_from_results(results).get("m/a", "debug:medium")
    assert cell is not None and (cell.trials, cell.successes) == (10, 10)
    assert cell.interval(False)[0] == 1.0 and cell.interval(True)[0] == 0.2  # each setting its own
    assert cell.sources == ("bench:agent.builtin", "bench:humaneval")


def test_agent_results_are_fitted_on_the_base_scale_through_the_agent_term() -> None:
    base = fitted_base()
    [obs] = observations([res(f"a{i}", i < 36, model="m/c", suite="agent.kilo") for i in range(40)])
    assert obs.agent and obs.route == "debug" and (obs.n, obs.k) == (40, 36)
    results = [res(f"a{i}", i < 36, model="m/c", suite="agent.kilo", malformed=i % 2) for i in range(40)]
    snap = build_snapshot(results, base)
    c = snap.get("m/c", "debug:medium")
    assert c is not None and c.agent_estimate is not None and c.agent_low is not None
    assert c.estimate is not None and c.sources == ("bench:agent.kilo",)
    assert 0 < c.agent_low < c.agent_estimate < (c.agent_high or 0) < 1  # an interval, from the fit
    basis = fitted_from(snap)
    assert basis is not None and len(basis[0]) == 5  # the base's four observations and the new one
    # the base models are re-estimated together with the new one, on one scale
    a, b = snap.get("m/a", "debug:medium"), snap.get("m/b", "debug:medium")
    assert a is not None and b is not None and (a.agent_estimate or 0) > (b.agent_estimate or 0)
    assert snap.malformed == {"m/c": 20 / 400}
    assert Snapshot.from_json(snap.to_json()).malformed == snap.malformed
