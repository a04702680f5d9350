"""Fit a routing policy on TRAIN: pick the estimator design and the dial points by cross-validation.

The policy at dial value lambda picks, per prompt, argmax_m A(m|x) - lambda * ĉ(m|x) / scale, ties to the
cheaper model (lambda = inf: the cheapest predicted model; lambda = 0: the most accurate predicted). `scale`
is the mean TRAIN cost of the most expensive model, so lambda is "score points per most-expensive call".

Cross-validation on TRAIN only: out-of-fold A and ĉ for every candidate design give an out-of-fold
cost/quality curve over a fine lambda grid; the design with the largest area under it wins, and the
operating points are the lambdas whose out-of-fold mean cost is nearest to evenly spaced targets from
the cheapest to the most accurate end. TEST is never looked at here.

Beside the dial points, the policy keeps a "single model" point for every model on TRAIN's single-model
hull (always that model): where the prompt signal is weak, mixing these is what the curve falls back to,
and they pin its ends to the exact cheapest and best models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from benchroute.evaluate.curve import auc, envelope, single_model_points
from benchroute.evaluate.outcomes import OutcomeMatrix
from learned.estimators import (
    BlendEstimator,
    CellEstimator,
    CostModel,
    Estimator,
    KnnEstimator,
    LogisticEstimator,
    ShrunkKnnEstimator,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

LAMBDA_GRID: tuple[float, ...] = (float("inf"), *np.geomspace(1e3, 1e-3, 121).tolist(), 0.0)


@dataclass(frozen=True)
class Design:
    """A named estimator recipe; `make(seed)` returns a fresh, unfitted estimator."""

    name: str
    make: Callable[[int], Estimator]


def _cells(seed: int) -> CellEstimator:
    return CellEstimator(ks=(4, 8, 16, 32, 64), beta=20.0, alpha=8.0, seed=seed)


def _shrunk_knn(seed: int) -> ShrunkKnnEstimator:
    return ShrunkKnnEstimator(k=80, alpha=16.0, beta=5.0, cells=CellEstimator(ks=(8, 32), seed=seed))


def router_designs() -> list[Design]:
    """The router's estimator (benchmarks/evaluate/README.md has the study that chose it).

    A blend: multi-resolution soft cells, a logistic probe and cell-prior kNN agree on the per-task
    signal and average out each other's noise; heavier smoothing won on every dataset. Choosing among
    several blends by cross-validation on 400 prompts gained nothing (the choice is noise), so there is
    one; `fit_policy` still cross-validates to place the dial points.
    """
    return [
        Design(
            "cells+logistic+knn-shrunk-to-cells",
            lambda s: BlendEstimator(
                [_cells(s), LogisticEstimator(lam=3.0), _shrunk_knn(s)], [1.0, 1.0, 1.0]
            ),
        ),
    ]


def knn_designs() -> list[Design]:
    """The nearest-neighbour baseline; its k is cross-validated like the router's design."""
    return [Design(f"knn k={k}", _knn_maker(k)) for k in (5, 10, 20, 40)]


def _knn_maker(k: int) -> Callable[[int], Estimator]:
    def make(seed: int) -> Estimator:
        return KnnEstimator(k=k)

    return make


def select(acc: FloatArray, cost: FloatArray, lam: float) -> IntArray:
    """Per row: argmax acc - lam*cost, ties to the cheaper; lam = inf: cheapest, ties to more accurate."""
    if np.isinf(lam):
        util = -cost + 1e-9 * acc
    else:
        util = acc - lam * cost - 1e-9 * cost
    return np.asarray(np.argmax(util, axis=1), dtype=np.intp)


def cost_range(truth: OutcomeMatrix) -> tuple[float, float]:
    costs = [p.cost for p in single_model_points(truth)]
    return (min(costs), max(costs)) if costs else (0.0, 0.0)


def hull_models(truth: OutcomeMatrix) -> list[int]:
    """Indices of the models on TRAIN's single-model hull (mean cost, mean score), cheapest first."""
    points = {(p.cost, p.quality): truth.models.index(p.label) for p in single_model_points(truth)}
    return [points[v] for v in envelope(list(points))]


@dataclass
class Policy:
    """A fitted estimator + cost model + operating points.

    The points are the dial values `lambdas` and the always-this-model points `singles` (model indices),
    listed together (dial points first) and put in order of predicted mean cost on TRAIN by `order`;
    `labels[i]` names column i of `choose`.
    """

    design: str
    estimator: Estimator
    cost_model: CostModel
    scale: float
    labels: list[str]
    lambdas: list[float]
    singles: list[int] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    cv_auc: dict[str, float] = field(default_factory=dict)

    def predict(self, z: FloatArray, tokens: FloatArray) -> tuple[FloatArray, FloatArray]:
        return self.estimator.predict(z), self.cost_model.predict(z, tokens) / self.scale

    def _columns(self, acc: FloatArray, cost: FloatArray) -> IntArray:
        cols = [select(acc, cost, lam) for lam in self.lambdas]
        cols += [np.full(acc.shape[0], m, dtype=np.intp) for m in self.singles]
        return np.stack(cols, axis=1)

    def choose(self, z: FloatArray, tokens: FloatArray) -> IntArray:
        """(n, points) model indices, columns in label order."""
        acc, cost = self.predict(z, tokens)
        cols = self._columns(acc, cost)
        return cols[:, self.order] if self.order else cols

    def describe(self) -> list[str]:
        """What each labelled point does, in label order (for reports)."""
        parts = [f"lambda={lam:.4g}" for lam in self.lambdas] + [f"single:{m}" for m in self.singles]
        return [parts[i] for i in (self.order or range(len(parts)))]


def _cost_order(policy: Policy, z: FloatArray, tokens: FloatArray) -> list[int]:
    """Point order by mean predicted cost on TRAIN prompts (dial points first among equals)."""
    acc, cost = policy.predict(z, tokens)
    cols = policy._columns(acc, cost)
    rows = np.arange(z.shape[0])[:, None]
    mean_cost = cost[rows, cols].mean(axis=0) if z.shape[0] else np.zeros(cols.shape[1])
    return [int(i) for i in np.lexsort((np.arange(cols.shape[1]), mean_cost))]


def _folds(n: int, k: int, rng: np.random.Generator) -> list[IntArray]:
    order = rng.permutation(n)
    return [np.asarray(f, dtype=np.intp) for f in np.array_split(order, k)]


def _sweep(acc: FloatArray, cost: FloatArray, truth: OutcomeMatrix) -> list[tuple[float, float]]:
    """(mean cost, mean score) on TRAIN per lambda of the grid; unobserved choices are skipped."""
    rows = np.arange(acc.shape[0])
    filled = truth.filled_costs()
    out = []
    for lam in LAMBDA_GRID:
        choice = select(acc, cost, lam)
        seen = truth.mask[rows, choice]
        if not seen.any():
            out.append((float("nan"), float("nan")))
            continue
        out.append((float(filled[rows, choice][seen].mean()), float(truth.scores[rows, choice][seen].mean())))
    return out


def _pick_lambdas(curve: Sequence[tuple[float, float]], n_points: int) -> list[float]:
    """Lambdas (descending, so cost ascending) whose OOF cost is nearest to evenly spaced targets.

    Only grid positions where the OOF choices change are candidates, and each is used at most once,
    so the points are distinct whenever the grid allows; both ends are always kept.
    """
    costs = np.nan_to_num(np.array([c for c, _ in curve]), nan=np.inf)
    last = len(curve) - 1
    distinct = [0] + [i for i in range(1, last) if costs[i] != costs[i - 1]] + [last]
    if len(distinct) <= n_points:
        picked = distinct + [last] * (n_points - len(distinct))
        picked.sort()
    else:
        cand = np.array(distinct)
        picked = [0]
        for j, target in enumerate(np.linspace(costs[0], costs[last], n_points)[1:-1], start=1):
            lo = int(np.searchsorted(cand, picked[-1], side="right"))
            hi = len(cand) - (n_points - 1 - j)  # leave room for the points still to place
            window = cand[lo:hi]
            picked.append(int(window[np.argmin(np.abs(costs[window] - target))]))
        picked.append(last)
    return [LAMBDA_GRID[i] for i in picked]


def fit_policy(
    z: FloatArray,
    tokens: FloatArray,
    truth: OutcomeMatrix,
    designs: Sequence[Design],
    *,
    n_points: int = 16,
    folds: int = 5,
    seed: int = 0,
    with_singles: bool = True,
) -> Policy:
    """The design with the best out-of-fold AUC, its `n_points` dial values, and the hull's single models."""
    n = z.shape[0]
    costs = truth.costs
    mean_costs = truth.filled_costs().mean(axis=0) if n else np.zeros(0)
    scale = float(mean_costs.max()) if mean_costs.size and mean_costs.max() > 0 else 1.0
    rng = np.random.default_rng(seed)
    k = max(2, min(folds, n // 10)) if n >= 20 else 0
    c_lo, c_hi = cost_range(truth)
    cv_auc: dict[str, float] = {}
    best: tuple[float, int, list[tuple[float, float]]] | None = None
    if k and len(designs) > 0:
        parts = _folds(n, k, rng)
        oof_cost = np.zeros(truth.scores.shape)
        oof_acc = [np.zeros(truth.scores.shape) for _ in designs]
        for held in parts:
            fit_rows = np.setdiff1d(np.arange(n), held)
            cm = CostModel()
            cm.fit(z[fit_rows], tokens[fit_rows], costs[fit_rows])
            oof_cost[held] = cm.predict(z[held], tokens[held]) / scale
            for d, design in enumerate(designs):
                est = design.make(seed)
                est.fit(z[fit_rows], truth.scores[fit_rows], truth.mask[fit_rows])
                oof_acc[d][held] = est.predict(z[held])
        for d, design in enumerate(designs):
            curve = _sweep(oof_acc[d], oof_cost, truth)
            area = auc(curve, c_lo, c_hi)
            cv_auc[design.name] = area
            if best is None or area > best[0] + 1e-12:
                best = (area, d, curve)
    chosen = best[1] if best is not None else 0
    if best is not None:
        lambdas = _pick_lambdas(best[2], n_points)
    else:  # too little data to cross-validate: a fixed geometric dial
        lambdas = [float("inf"), *np.geomspace(10.0, 0.01, n_points - 2).tolist(), 0.0]
    estimator = designs[chosen].make(seed)
    estimator.fit(z, truth.scores, truth.mask)
    cost_model = CostModel()
    cost_model.fit(z, tokens, costs)
    policy = Policy(designs[chosen].name, estimator, cost_model, scale, [], lambdas, cv_auc=cv_auc)
    if with_singles:
        policy.singles = hull_models(truth)
    policy.order = _cost_order(policy, z, tokens)
    policy.labels = [f"p{i:02d}" for i in range(len(policy.order))]
    return policy
