"""The measurement model: models measured on different benchmarks land on one scale."""

from __future__ import annotations

import math

import numpy as np

from benchroute.leaderboard.build import snapshot_from_fit
from benchroute.leaderboard.fit import Observation, Priors, fit, fit_empirical

TRUE = {"m/a": 1.5, "m/b": 0.5, "m/c": -0.5, "m/d": -1.5, "m/e": 0.0}
BENCH = {"easy-bench": -1.0, "hard-bench": 1.5}


def observations(seed: int = 0, n: int = 400) -> list[Observation]:
    """m/a..m/c run on both benchmarks; m/d only on the easy one, m/e only on the hard one."""
    rng = np.random.default_rng(seed)
    runs = [(m, b) for m in ("m/a", "m/b", "m/c") for b in BENCH] + [
        ("m/d", "easy-bench"),
        ("m/e", "hard-bench"),
    ]
    out = []
    for model, bench in runs:
        p = 1 / (1 + math.exp(-(TRUE[model] - BENCH[bench])))
        out.append(Observation(model, bench, "debug", True, n, float(rng.binomial(n, p)), f"{bench} {model}"))
    return out


def test_models_on_different_benchmarks_are_compared_on_one_scale() -> None:
    obs = observations()
    raw = {(o.model, o.benchmark): o.k / o.n for o in obs}
    # Raw rates mislead: m/d (weak, easy benchmark) looks better than m/e (average, hard benchmark).
    assert raw[("m/d", "easy-bench")] > raw[("m/e", "hard-bench")]
    snap = snapshot_from_fit(fit(obs), obs)
    a = {m: snap.get(m, "debug:medium").agent_estimate for m in TRUE}  # type: ignore[union-attr]
    assert sorted(a, key=lambda m: -(a[m] or 0)) == sorted(TRUE, key=lambda m: -TRUE[m])


def test_an_unmeasured_route_has_a_wide_interval_not_a_borrowed_number() -> None:
    obs = observations()
    snap = snapshot_from_fit(fit(obs, Priors(route_sd=0.5)), obs)
    measured = snap.get("m/a", "debug:medium")
    unmeasured = snap.get("m/a", "plan:medium")
    assert measured is not None and unmeasured is not None
    assert unmeasured.trials == 0 and measured.trials == 800
    assert (unmeasured.agent_high or 0) - (unmeasured.agent_low or 0) > 2 * (
        (measured.agent_high or 0) - (measured.agent_low or 0)
    )
    assert unmeasured.sources == ()


def test_fewer_tasks_give_a_wider_interval() -> None:
    few, many = observations(n=40), observations(n=400)
    w = []
    for obs in (few, many):
        s = snapshot_from_fit(fit(obs), obs).get("m/e", "debug:medium")
        assert s is not None
        w.append((s.agent_high or 0) - (s.agent_low or 0))
    assert w[0] > w[1]


def test_empirical_bayes_picks_priors_from_the_grid() -> None:
    result = fit_empirical(observations())
    assert result.priors.route_sd > 0 and math.isfinite(result.log_evidence)
