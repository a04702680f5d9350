"""Estimators and the cost model on small, hand-made data."""

from __future__ import annotations

import numpy as np

from benchroute.evaluate.estimators import (
    CellEstimator,
    CostModel,
    KnnEstimator,
    LogisticEstimator,
    RidgeEstimator,
    model_means,
)
from benchroute.evaluate.features import TextFeaturizer


def _two_clusters(n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    fam = np.arange(n) % 2
    z = np.where(fam[:, None] == 0, [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]) + 0.05 * rng.standard_normal((n, 3))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    scores = np.stack([1.0 - fam, np.ones(n)], axis=1)  # model 0 only solves family 0
    mask = np.ones_like(scores, dtype=bool)
    return z, scores, mask


def test_estimators_separate_the_families() -> None:
    z, scores, mask = _two_clusters()
    for est in (
        CellEstimator(ks=(2, 4), seed=0),
        RidgeEstimator(lam=0.1),
        KnnEstimator(k=5),
        LogisticEstimator(lam=0.1),
    ):
        est.fit(z, scores, mask)
        pred = est.predict(z[:2])
        assert pred[0, 0] > 0.8 and pred[1, 0] < 0.2, (type(est).__name__, pred)


def test_cell_estimate_is_smoothed_toward_the_model_mean() -> None:
    z, scores, mask = _two_clusters()
    mask[:, 0] = False
    mask[:4, 0] = True  # model 0 seen on four prompts only
    est = CellEstimator(ks=(2,), alpha=50.0, seed=0)
    est.fit(z, scores, mask)
    prior = model_means(scores, mask)[0]
    assert abs(est.predict(z[1:2])[0, 0] - prior) < 0.2


def test_cost_model_charges_long_prompts_more() -> None:
    z = np.zeros((50, 2))
    tokens = np.linspace(10, 5000, 50)
    costs = np.stack([1e-6 * tokens, np.full(50, 0.5)], axis=1)
    costs[3, 0] = np.nan  # unknown costs are skipped
    cm = CostModel(lam=1e-3)
    cm.fit(z, tokens, costs)
    pred = cm.predict(np.zeros((2, 2)), np.array([100.0, 4000.0]))
    assert pred[1, 0] > 10 * pred[0, 0]
    assert np.allclose(pred[:, 1], 0.5)


def test_featurizer_is_deterministic_and_unit_norm() -> None:
    texts = [f"fix the bug in function {i} of the parser" for i in range(30)] + ["write a poem"] * 5
    a = TextFeaturizer(dims=8, seed=1).fit_transform(texts)
    b = TextFeaturizer(dims=8, seed=1).fit_transform(texts)
    assert np.allclose(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
