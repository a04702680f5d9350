"""One measurement model over all outcome data: comparable estimates A(m, route, difficulty).

Build-time (scripts/build_leaderboard.py, `benchroute evaluate`); the router reads the snapshot it
produces. docs/routing.md states the model; in short, for an observation o = (model m, benchmark b
of route r, n tasks, k solved), in an agent harness or single-turn:

    logit P(solve) = θ_m + δ_{m,r} + agent_o · γ_m − β_b

θ_m is the model's coding ability, δ_{m,r} its deviation on route r (prior N(0, τ²)), γ_m its
deviation when working as an agent (prior N(0, τ_a²)), β_b the benchmark's difficulty. Benchmarks
are linked through the models they share, so a model measured only on SWE-bench and one measured
only on Aider polyglot land on one scale. The fit is the posterior mode (Newton), its covariance
the inverse Hessian (Laplace). A route no benchmark measures (plan, explain, review, docs) is
estimated from θ_m with the prior variance τ² added: a wide interval, never a borrowed number.

Difficulty is relative to the models measured on the route: a reference task of route r at level
d has difficulty ref_r − logit(q_d), with ref_r the mean ability of those models and q = 0.85 /
0.5 / 0.15 for easy / medium / hard (route-spec: easy = most current models succeed, hard = under
30% do). A(m, r, d) = σ(η − b_{r,d}), the interval σ(η − b ± z·sd), sd of η − ref_r (the benchmarks'
common offset cancels).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from benchroute.routing.taxonomy import CODING_ROUTES, DIFFICULTIES

FloatArray = npt.NDArray[np.float64]

LEVEL_SHARE: dict[str, float] = {"easy": 0.85, "medium": 0.5, "hard": 0.15}
Z = 1.645  # 90% intervals


@dataclass(frozen=True, slots=True)
class Observation:
    """n tasks of one benchmark, k of them solved, by one model (catalog id, "@effort" for a variant)."""

    model: str
    benchmark: str
    route: str
    agent: bool
    n: float
    k: float
    source: str = ""
    date: str = ""
    cost_per_task: float | None = None


@dataclass(frozen=True, slots=True)
class Priors:
    theta_sd: float = 2.0
    route_sd: float = 0.6  # τ: how far a model's route ability strays from its overall ability
    agent_sd: float = 0.5  # τ_a: how far its agent ability strays
    bench_sd: float = 3.0


@dataclass(frozen=True, slots=True)
class Estimate:
    """A(m, route, difficulty) in one setting, its interval and the evidence behind it."""

    model: str
    route: str
    difficulty: str
    agent: bool
    estimate: float
    low: float
    high: float
    tasks: float  # tasks measured on this route (0: estimated from the other routes)


@dataclass(frozen=True, slots=True)
class Fit:
    models: tuple[str, ...]
    routes: tuple[str, ...]  # routes with a benchmark
    benchmarks: tuple[str, ...]
    mean: FloatArray
    cov: FloatArray
    priors: Priors
    tasks: dict[tuple[str, str], float]  # (model, route) -> tasks
    agent_tasks: dict[str, float]  # model -> tasks measured in an agent harness
    difficulty: dict[str, float]  # benchmark -> β
    log_evidence: float = 0.0  # Laplace approximation of log p(data | priors), up to a constant

    def _vector(self, model: str, route: str, agent: bool) -> tuple[FloatArray, float]:
        """The parameter weights summed into η, and the prior variance of terms no data informs."""
        nm, nr = len(self.models), len(self.routes)
        i = self.models.index(model)
        vec = np.zeros(len(self.mean))
        vec[i] = 1.0
        extra = 0.0
        if route in self.routes:
            vec[nm + i * nr + self.routes.index(route)] = 1.0
        else:
            extra += self.priors.route_sd**2
        if agent:
            vec[nm + nm * nr + i] = 1.0
        return vec, extra

    def reference_vector(self, route: str) -> FloatArray:
        """ref_r as weights: the mean single-turn ability on the route of the models measured there
        (of every model for a route without a benchmark)."""
        measured = [m for m in self.models if self.tasks.get((m, route), 0.0) > 0]
        pool = measured or list(self.models)
        ref: FloatArray = np.mean([self._vector(m, route, False)[0] for m in pool], axis=0)
        return ref

    def relative(self, model: str, route: str, agent: bool, ref: FloatArray) -> tuple[float, float]:
        """(mean, sd) of the model's ability on the route minus the route's reference ability. The
        benchmarks' common offset cancels, so the sd is what the evidence leaves open."""
        vec, extra = self._vector(model, route, agent)
        diff = vec - ref
        return float(diff @ self.mean), math.sqrt(max(float(diff @ self.cov @ diff) + extra, 0.0))


def fit(observations: Sequence[Observation], priors: Priors | None = None, iterations: int = 50) -> Fit:
    """The posterior mode and Laplace covariance of the measurement model."""
    pr = priors or Priors()
    models = tuple(sorted({o.model for o in observations}))
    routes = tuple(r for r in CODING_ROUTES if any(o.route == r for o in observations))
    benches = tuple(sorted({o.benchmark for o in observations}))
    nm, nr, nb = len(models), len(routes), len(benches)
    size = nm + nm * nr + nm + nb
    x = np.zeros((len(observations), size))
    for row, o in enumerate(observations):
        i = models.index(o.model)
        x[row, i] = 1.0
        x[row, nm + i * nr + routes.index(o.route)] = 1.0
        if o.agent:
            x[row, nm + nm * nr + i] = 1.0
        x[row, nm + nm * nr + nm + benches.index(o.benchmark)] = -1.0
    n = np.array([o.n for o in observations])
    k = np.array([o.k for o in observations])
    prec = np.concatenate(
        [
            np.full(nm, pr.theta_sd**-2),
            np.full(nm * nr, pr.route_sd**-2),
            np.full(nm, pr.agent_sd**-2),
            np.full(nb, pr.bench_sd**-2),
        ]
    )
    w = np.zeros(size)
    hess = np.diag(prec)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (n * p - k) + prec * w
        hess = (x.T * (n * p * (1 - p))) @ x + np.diag(prec)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    tasks: dict[tuple[str, str], float] = {}
    agent_tasks: dict[str, float] = {}
    for o in observations:
        tasks[(o.model, o.route)] = tasks.get((o.model, o.route), 0.0) + o.n
        if o.agent:
            agent_tasks[o.model] = agent_tasks.get(o.model, 0.0) + o.n
    difficulty = {b: float(w[nm + nm * nr + nm + j]) for j, b in enumerate(benches)}
    p = np.clip(1.0 / (1.0 + np.exp(-(x @ w))), 1e-12, 1 - 1e-12)
    loglik = float(np.sum(k * np.log(p) + (n - k) * np.log(1 - p)))
    log_prior = float(-0.5 * np.sum(prec * w**2) + 0.5 * np.sum(np.log(prec)))
    log_evidence = loglik + log_prior - 0.5 * float(np.linalg.slogdet(hess)[1])
    cov = np.linalg.inv(hess)
    return Fit(models, routes, benches, w, cov, pr, tasks, agent_tasks, difficulty, log_evidence)


ROUTE_SD_GRID = (0.15, 0.25, 0.35, 0.5, 0.7)
AGENT_SD_GRID = (0.1, 0.2, 0.4)


def fit_empirical(observations: Sequence[Observation]) -> Fit:
    """`fit` with τ and τ_a chosen from a grid by the Laplace evidence (empirical Bayes): how far
    route and agent abilities stray from a model's overall ability is learnt from the models
    measured on several routes, and then sets the width of every unmeasured route's interval."""
    best: Fit | None = None
    for route_sd in ROUTE_SD_GRID:
        for agent_sd in AGENT_SD_GRID:
            candidate = fit(observations, Priors(route_sd=route_sd, agent_sd=agent_sd))
            if best is None or candidate.log_evidence > best.log_evidence:
                best = candidate
    assert best is not None
    return best


def _sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def estimates(result: Fit, routes: Sequence[str] = CODING_ROUTES) -> list[Estimate]:
    """A(m, r, d) with its interval for every model, coding route, difficulty and setting."""
    out: list[Estimate] = []
    for route in routes:
        ref = result.reference_vector(route)
        for model in result.models:
            tasks = result.tasks.get((model, route), 0.0)
            for agent in (False, True):
                mean, sd = result.relative(model, route, agent, ref)
                for level in DIFFICULTIES:
                    b = -math.log(LEVEL_SHARE[level] / (1 - LEVEL_SHARE[level]))
                    out.append(
                        Estimate(
                            model,
                            route,
                            level,
                            agent,
                            _sigmoid(mean - b),
                            _sigmoid(mean - b - Z * sd),
                            _sigmoid(mean - b + Z * sd),
                            tasks,
                        )
                    )
    return out
