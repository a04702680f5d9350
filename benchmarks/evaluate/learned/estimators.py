"""Per-prompt estimates of each model's accuracy, A(m | x), and cost, fitted on TRAIN outcomes.

Every estimator sees prompt vectors z (unit rows), a score matrix and its observed mask; it never
sees anything about the prompts it predicts for except their vectors.

- `CellEstimator`: the router's math. Cells are soft clusters of prompt vectors (spherical k-means);
  P(c | x) = softmax(beta * cos(x, centroid_c)); p̂(m, c) is the P-weighted success rate in the cell,
  smoothed toward the model's overall rate with `alpha` pseudo-prompts; A(m) = Σ_c P(c|x) p̂(m, c).
  Several resolutions (`ks`) are averaged: coarse cells are reliable, fine cells are specific.
- `RidgeEstimator`: a per-model linear probe on z (the "learned cell" limit of the same idea).
- `LogisticEstimator`: the same probe through a sigmoid (L2-regularised logistic regression, Newton steps;
  fractional scores are soft labels), so estimates stay in (0, 1) and rare successes are not clipped.
- `KnnEstimator`: the nearest-neighbour baseline (masked mean over the k most similar TRAIN prompts).
- `BlendEstimator`: a weighted mean of others.
- `CostModel`: log-linear in prompt length and z per model, so long prompts cost more.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Estimator(Protocol):
    def fit(self, z: FloatArray, scores: FloatArray, mask: BoolArray) -> None: ...

    def predict(self, z: FloatArray) -> FloatArray:
        """(n, models) expected score."""
        ...


def model_means(scores: FloatArray, mask: BoolArray) -> FloatArray:
    counts = mask.sum(axis=0)
    sums = np.where(mask, scores, 0.0).sum(axis=0)
    prior = float(sums.sum() / max(1, counts.sum()))
    return np.asarray((sums + prior) / (counts + 1.0), dtype=np.float64)


def _softmax_rows(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def spherical_kmeans(z: FloatArray, k: int, rng: np.random.Generator, iters: int = 25) -> FloatArray:
    """k unit centroids for unit rows z (k-means++ seeding, cosine assignment)."""
    n = z.shape[0]
    k = max(1, min(k, n))
    centers = [z[int(rng.integers(n))]]
    dist = 1.0 - z @ centers[0]
    for _ in range(1, k):
        d2 = np.maximum(dist, 0.0) ** 2
        total = float(d2.sum())
        idx = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centers.append(z[idx])
        dist = np.minimum(dist, 1.0 - z @ z[idx])
    c = np.stack(centers)
    for _ in range(iters):
        assign = np.argmax(z @ c.T, axis=1)
        onehot = (assign[None, :] == np.arange(c.shape[0])[:, None]).astype(np.float64)
        new = onehot @ z
        norms = np.linalg.norm(new, axis=1, keepdims=True)
        empty = norms[:, 0] < 1e-12
        new = np.where(empty[:, None], c, new / np.maximum(norms, 1e-12))
        if np.allclose(new, c):
            break
        c = new
    return np.asarray(c, dtype=np.float64)


@dataclass
class CellEstimator:
    ks: tuple[int, ...] = (8, 32)
    beta: float = 20.0
    alpha: float = 4.0
    seed: int = 0
    _centroids: list[FloatArray] = field(default_factory=list)
    _phat: list[FloatArray] = field(default_factory=list)

    def cell_probs(self, z: FloatArray, centroids: FloatArray) -> FloatArray:
        return _softmax_rows(self.beta * (z @ centroids.T))

    def fit(self, z: FloatArray, scores: FloatArray, mask: BoolArray) -> None:
        rng = np.random.default_rng(self.seed)
        prior = model_means(scores, mask)
        self._centroids, self._phat = [], []
        obs = mask.astype(np.float64)
        for k in self.ks:
            cents = spherical_kmeans(z, k, rng)
            p = self.cell_probs(z, cents)
            hits = p.T @ np.where(mask, scores, 0.0)  # (cells, models)
            trials = p.T @ obs
            self._centroids.append(cents)
            self._phat.append((hits + self.alpha * prior[None, :]) / (trials + self.alpha))

    def predict(self, z: FloatArray) -> FloatArray:
        parts = [self.cell_probs(z, c) @ ph for c, ph in zip(self._centroids, self._phat, strict=True)]
        return np.asarray(np.mean(parts, axis=0), dtype=np.float64)


def _ridge_solve(x: FloatArray, y: FloatArray, lam: float) -> FloatArray:
    reg = lam * np.eye(x.shape[1])
    reg[0, 0] = 0.0  # never shrink the intercept
    return np.asarray(np.linalg.solve(x.T @ x + reg, x.T @ y), dtype=np.float64)


def _with_bias(z: FloatArray) -> FloatArray:
    return np.hstack([np.ones((z.shape[0], 1)), z])


def _logit(p: float) -> float:
    q = min(max(p, 0.01), 0.99)
    return math.log(q / (1.0 - q))


def _per_model_weights(
    z: FloatArray,
    scores: FloatArray,
    mask: BoolArray,
    fit: Callable[[FloatArray, FloatArray], FloatArray],
    intercept: Callable[[float], float],
) -> FloatArray:
    """(1 + dims, models) weights of a linear probe on [1, z], one fit per model on its observed rows;
    a model seen fewer than twice gets only an intercept, `intercept` of its smoothed mean score."""
    x = _with_bias(z)
    prior = model_means(scores, mask)
    cols = []
    for j in range(scores.shape[1]):
        rows = mask[:, j]
        if rows.sum() < 2:
            w = np.zeros(x.shape[1])
            w[0] = intercept(float(prior[j]))
        else:
            w = fit(x[rows], scores[rows, j])
        cols.append(w)
    return np.stack(cols, axis=1)


@dataclass
class RidgeEstimator:
    lam: float = 1.0
    _w: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))

    def fit(self, z: FloatArray, scores: FloatArray, mask: BoolArray) -> None:
        self._w = _per_model_weights(
            z, scores, mask, lambda x, y: _ridge_solve(x, y, self.lam), lambda prior: prior
        )

    def predict(self, z: FloatArray) -> FloatArray:
        return np.asarray(np.clip(_with_bias(z) @ self._w, 0.0, 1.0), dtype=np.float64)


def logistic_fit(x: FloatArray, y: FloatArray, lam: float, iters: int = 8) -> FloatArray:
    """Weights of an L2-regularised logistic regression (intercept x[:, 0] unpenalised), Newton's method.

    y may be fractional (soft labels in 0..1): the loss is the cross-entropy, still convex.
    """
    d = x.shape[1]
    w = np.zeros(d)
    p0 = float(np.clip(y.mean(), 0.01, 0.99)) if y.size else 0.5
    w[0] = math.log(p0 / (1.0 - p0))
    reg = lam * np.eye(d)
    reg[0, 0] = 1e-6
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30.0, 30.0)))
        grad = x.T @ (p - y) + reg @ w
        hess = (x * (p * (1.0 - p))[:, None]).T @ x + reg
        step = np.linalg.solve(hess, grad)
        w = w - step
        if float(np.abs(step).max()) < 1e-6:
            break
    return np.asarray(w, dtype=np.float64)


@dataclass
class LogisticEstimator:
    """Per model: P(success | z) = sigmoid(w · [1, z]), L2 penalty `lam` (models seen < 2 times: the mean)."""

    lam: float = 3.0
    _w: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))

    def fit(self, z: FloatArray, scores: FloatArray, mask: BoolArray) -> None:
        self._w = _per_model_weights(
            z, scores, mask, lambda x, y: logistic_fit(x, np.clip(y, 0.0, 1.0), self.lam), _logit
        )

    def predict(self, z: FloatArray) -> FloatArray:
        logits = np.clip(_with_bias(z) @ self._w, -30.0, 30.0)
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)


@dataclass
class KnnEstimator:
    k: int = 10
    _z: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    _scores: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    _mask: BoolArray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    _prior: FloatArray = field(default_factory=lambda: np.zeros(0))

    def fit(self, z: FloatArray, scores: FloatArray, mask: BoolArray) -> None:
        self._z, self._scores, self._mask = z, np.where(mask, scores, 0.0), mask
        self._prior = model_means(scores, mask)

    def predict(self, z: FloatArray) -> FloatArray:
        k = max(1, min(self.k, self._z.shape[0]))
        sims = z @ self._z.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        hits = self._scores[top].sum(axis=1)
        trials = self._mask[top].sum(axis=1)
        est = np.divide(hits, trials, out=np.zeros_like(hits), where=trials > 0)
        return np.asarray(np.where(trials > 0, est, self._prior[None, :]), dtype=np.float64)


@dataclass
class ShrunkKnnEstimator:
    """Neighbours update the cell estimate: A = (Σ_nbr w·s + alpha·A_cells) / (Σ_nbr w + alpha).

    The cell estimate is the prior (what prompts of this kind score), the k most similar TRAIN prompts
    the evidence, weighted by exp(beta·(cos − 1)) so close neighbours count for more.
    """

    k: int = 20
    alpha: float = 4.0
    beta: float = 5.0
    cells: CellEstimator = field(default_factory=CellEstimator)
    _z: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    _scores: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    _obs: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))

    def fit(self, z: FloatArray, scores: FloatArray, mask: BoolArray) -> None:
        self.cells.fit(z, scores, mask)
        self._z, self._scores, self._obs = z, np.where(mask, scores, 0.0), mask.astype(np.float64)

    def predict(self, z: FloatArray) -> FloatArray:
        prior = self.cells.predict(z)
        k = max(1, min(self.k, self._z.shape[0]))
        sims = z @ self._z.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        w = np.exp(self.beta * (np.take_along_axis(sims, top, axis=1) - 1.0))[:, :, None]
        hits = (w * self._scores[top]).sum(axis=1)
        trials = (w * self._obs[top]).sum(axis=1)
        return np.asarray((hits + self.alpha * prior) / (trials + self.alpha), dtype=np.float64)


@dataclass
class BlendEstimator:
    parts: Sequence[Estimator]
    weights: Sequence[float]

    def fit(self, z: FloatArray, scores: FloatArray, mask: BoolArray) -> None:
        for part in self.parts:
            part.fit(z, scores, mask)

    def predict(self, z: FloatArray) -> FloatArray:
        total = sum(self.weights)
        preds = [w * p.predict(z) for p, w in zip(self.parts, self.weights, strict=True)]
        return np.asarray(np.sum(preds, axis=0) / total, dtype=np.float64)


@dataclass
class CostModel:
    """Per model: log(cost + offset) ~ ridge on [1, log tokens, z]; unknown costs are skipped."""

    lam: float = 1.0
    _w: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    _offset: FloatArray = field(default_factory=lambda: np.zeros(0))
    _const: FloatArray = field(default_factory=lambda: np.zeros(0))

    @staticmethod
    def _design(z: FloatArray, tokens: FloatArray) -> FloatArray:
        return np.hstack([np.ones((z.shape[0], 1)), np.log1p(tokens)[:, None], z])

    def fit(self, z: FloatArray, tokens: FloatArray, costs: FloatArray) -> None:
        x = self._design(z, tokens)
        m = costs.shape[1]
        self._w = np.zeros((x.shape[1], m))
        self._offset = np.zeros(m)
        self._const = np.full(m, np.nan)
        for j in range(m):
            known = ~np.isnan(costs[:, j])
            c = costs[known, j]
            if known.sum() < 3 or np.ptp(c) == 0:
                self._const[j] = float(c.mean()) if c.size else 0.0
                continue
            positive = c[c > 0]
            self._offset[j] = 0.01 * float(np.median(positive)) if positive.size else 1e-12
            self._w[:, j] = _ridge_solve(x[known], np.log(c + self._offset[j]), self.lam)

    def predict(self, z: FloatArray, tokens: FloatArray) -> FloatArray:
        pred = np.exp(self._design(z, tokens) @ self._w) - self._offset[None, :]
        pred = np.where(np.isnan(self._const)[None, :], pred, np.nan_to_num(self._const)[None, :])
        return np.asarray(np.maximum(pred, 0.0), dtype=np.float64)
