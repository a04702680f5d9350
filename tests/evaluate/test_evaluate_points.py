"""The logistic probe, the classifier features and the single-model operating points."""

from __future__ import annotations

import numpy as np
from evaluate_synth import CHEAP, MID, STRONG, make_records

from benchroute.evaluate.estimators import LogisticEstimator, logistic_fit
from benchroute.evaluate.features import TextFeaturizer
from benchroute.evaluate.outcomes import OutcomeMatrix
from benchroute.evaluate.router import fit_policy, hull_models, router_designs
from benchroute.evaluate.taskfeatures import TaskFeatures
from benchroute.routing.taxonomy import DIFFICULTIES, TASK_TYPES


def test_logistic_fit_recovers_the_rate_and_accepts_soft_labels() -> None:
    x = np.ones((200, 1))
    y = np.r_[np.ones(30), np.zeros(170)]
    w = logistic_fit(x, y, lam=1.0)
    assert abs(1.0 / (1.0 + np.exp(-w[0])) - 0.15) < 1e-3  # the intercept is not shrunk
    soft = logistic_fit(x, np.full(200, 0.7), lam=1.0)
    assert abs(1.0 / (1.0 + np.exp(-soft[0])) - 0.7) < 1e-3


def test_logistic_estimator_is_a_probability_and_handles_unseen_models() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((120, 4))
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    scores = np.stack([(z[:, 0] > 0).astype(float), np.zeros(120)], axis=1)
    mask = np.ones_like(scores, dtype=bool)
    mask[:, 1] = False  # a model with no outcomes at all
    est = LogisticEstimator(lam=1.0)
    est.fit(z, scores, mask)
    pred = est.predict(z)
    assert ((pred > 0) & (pred < 1)).all()
    assert pred[z[:, 0] > 0.5, 0].mean() > 0.8 and pred[z[:, 0] < -0.5, 0].mean() < 0.2
    assert np.allclose(pred[:, 1], pred[0, 1])  # the unseen model: one constant guess


def test_hull_models_are_the_undominated_single_models() -> None:
    truth = OutcomeMatrix.from_records(make_records(80, seed=0))
    hull = [truth.models[j] for j in hull_models(truth)]
    assert hull == [CHEAP, STRONG]  # MID (half right, mid price) lies below the chord
    assert MID in truth.models


def test_policy_points_include_the_hull_models_in_cost_order() -> None:
    records = make_records(120, seed=1)
    truth = OutcomeMatrix.from_records(records)
    z = TextFeaturizer(dims=16, seed=0).fit_transform([r.text for r in records])
    tokens = np.full(len(records), 20.0)
    policy = fit_policy(z, tokens, truth, router_designs(), n_points=12, seed=0)
    cols = policy.choose(z, tokens)
    assert cols.shape == (120, 12 + 2) and len(policy.labels) == 14
    assert sorted(policy.order) == list(range(14))
    described = policy.describe()
    assert sum(d.startswith("single:") for d in described) == 2
    costs = truth.filled_costs()[np.arange(120)[:, None], cols].mean(axis=0)
    assert (np.diff(costs) >= -1e-12).all()  # labels run from cheapest to most expensive
    strong = truth.models.index(STRONG)
    assert (cols[:, described.index(f"single:{strong}")] == strong).all()
    without = fit_policy(z, tokens, truth, router_designs(), n_points=12, seed=0, with_singles=False)
    assert without.choose(z, tokens).shape == (120, 12)


def test_task_features_separate_code_from_maths_and_keep_unit_rows() -> None:
    texts = [f"Fix the TypeError raised in parse_config() line {i} of utils.py" for i in range(20)]
    texts += [f"Prove that the sum of the first {i} odd numbers is a perfect square" for i in range(20)]
    task = TaskFeatures(weight=0.3)
    feats = task.fit(texts)
    width = len(TASK_TYPES) + len(DIFFICULTIES)  # one log-probability per route and difficulty
    assert feats.shape == (40, width)
    assert np.allclose(np.linalg.norm(feats, axis=1), 1.0)
    assert float(feats[:20].mean(axis=0) @ feats[20:].mean(axis=0)) < 0.0  # the two families point apart
    z = TextFeaturizer(dims=8, seed=0).fit_transform(texts)
    assert np.allclose(task.features(texts[:3]), feats[:3])
    both = task.augment(z, feats)
    assert both.shape == (40, 8 + width)
    assert np.allclose(np.linalg.norm(both, axis=1), 1.0)
