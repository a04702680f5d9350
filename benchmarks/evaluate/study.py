"""Design study: estimator parts and operating-point schemes compared on held-out TEST AUC.

    python benchmarks/evaluate/study.py [--seeds 10] [--max-train 400] [--max-test N] [--task-weight 0.3]

`prepare` and `score_with` are shared by the other studies (`study_calibration.py`, `study_encoders.py`).

Per dataset and seed (the same splits as run.py) it featurises once, computes out-of-fold (5-fold on
TRAIN) and TEST predictions of every estimator part once, and then scores blends of the parts and point
schemes exactly like `benchroute evaluate` does (dial points placed on the out-of-fold curve, TEST only
for the score). Prints the mean TEST AUC and the best quality within half the best model's cost.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from learned.estimators import (
    CostModel,
    Estimator,
    KnnEstimator,
    LogisticEstimator,
    RidgeEstimator,
)
from learned.features import TextFeaturizer, token_count
from learned.router import (
    _cells,
    _folds,
    _pick_lambdas,
    _shrunk_knn,
    _sweep,
    cost_range,
    hull_models,
    select,
)
from learned.taskfeatures import TaskFeatures
from run import split
from threadpoolctl import threadpool_limits

from benchroute.evaluate.curve import auc, best_quality_within, evaluate_choices, single_model_points
from benchroute.evaluate.datasets import DATASETS, load
from benchroute.evaluate.outcomes import OutcomeMatrix, OutcomeRecord

ROOT = Path(__file__).resolve().parents[3]
Array = np.ndarray

PARTS: dict[str, Callable[[int], Estimator]] = {
    "cells": _cells,
    "ridge": lambda s: RidgeEstimator(lam=30.0),
    "logistic": lambda s: LogisticEstimator(lam=3.0),
    "sknn": _shrunk_knn,
    "knn20": lambda s: KnnEstimator(k=20),
}
# The nearest-neighbour baseline as run.py has it: plain text features, k chosen by out-of-fold AUC.
KNN_KS = (5, 10, 20, 40)
Features = Callable[[Sequence[str], Sequence[str], int], tuple[Array, Array]]
BLENDS: list[tuple[str, ...]] = [
    ("cells", "ridge", "sknn"),
    ("cells", "logistic", "sknn"),
    ("logistic",),
    ("cells", "logistic", "sknn", "knn20"),
]
SCHEMES: dict[str, tuple[int, bool]] = {"16": (16, False), "16+singles": (16, True), "32+singles": (32, True)}


@dataclass
class Split:
    truth: OutcomeMatrix
    test: OutcomeMatrix
    oof: dict[str, Array]
    pred: dict[str, Array]
    oof_cost: Array
    test_cost: Array
    knn_oof: dict[int, Array]
    knn_pred: dict[int, Array]
    knn_cost: tuple[Array, Array]  # the baseline's cost model sees its own (plain) features


def lsa_features(train: Sequence[str], test: Sequence[str], seed: int) -> tuple[Array, Array]:
    feat = TextFeaturizer(seed=seed)
    return feat.fit_transform(train), feat.transform(test)


def _fit_predict(
    makers: dict[str, Callable[[int], Estimator]], z: Array, zt: Array, truth: OutcomeMatrix, seed: int
) -> tuple[dict[str, Array], dict[str, Array]]:
    """Out-of-fold (5-fold on TRAIN) and TEST predictions of every estimator."""
    n = z.shape[0]
    oof = {k: np.zeros(truth.scores.shape) for k in makers}
    for held in _folds(n, 5, np.random.default_rng(seed)):
        rows = np.setdiff1d(np.arange(n), held)
        for key, make in makers.items():
            est = make(seed)
            est.fit(z[rows], truth.scores[rows], truth.mask[rows])
            oof[key][held] = est.predict(z[held])
    pred = {}
    for key, make in makers.items():
        est = make(seed)
        est.fit(z, truth.scores, truth.mask)
        pred[key] = est.predict(zt)
    return oof, pred


def prepare(
    name: str,
    seed: int,
    args: argparse.Namespace,
    features: Features = lsa_features,
    records: list[OutcomeRecord] | None = None,
) -> Split:
    """One seed's split: router parts on `features` (+ the classifier's features), kNN on `features`."""
    records = records if records is not None else load(name, args.data)
    train, test = split(records, 0.3, seed, args.max_train, args.max_test)
    truth = OutcomeMatrix.from_records(train)
    held_out = OutcomeMatrix.from_records(test, models=truth.models)
    z0, zt0 = features([r.text for r in train], [r.text for r in test], seed)
    z, zt = z0, zt0
    if args.task_weight > 0:
        task = TaskFeatures(weight=args.task_weight)
        z = task.augment(z, task.fit([r.text for r in train]))
        zt = task.augment(zt, task.features([r.text for r in test]))
    tok = np.array([token_count(r.text) for r in train], dtype=float)
    tok_t = np.array([token_count(r.text) for r in test], dtype=float)
    oof_cost, test_cost = _cost_preds(z, zt, tok, tok_t, truth, seed)
    oof, pred = _fit_predict(PARTS, z, zt, truth, seed)
    knn = {str(k): _knn_maker(k) for k in KNN_KS}
    knn_oof, knn_pred = _fit_predict(knn, z0, zt0, truth, seed)
    return Split(
        truth,
        held_out,
        oof,
        pred,
        oof_cost,
        test_cost,
        {int(k): v for k, v in knn_oof.items()},
        {int(k): v for k, v in knn_pred.items()},
        _cost_preds(z0, zt0, tok, tok_t, truth, seed),
    )


def _cost_preds(
    z: Array, zt: Array, tok: Array, tok_t: Array, truth: OutcomeMatrix, seed: int
) -> tuple[Array, Array]:
    """Out-of-fold cost predictions on TRAIN and the full cost model's on TEST."""
    n = z.shape[0]
    oof_cost = np.zeros(truth.scores.shape)
    for held in _folds(n, 5, np.random.default_rng(seed)):
        rows = np.setdiff1d(np.arange(n), held)
        cm = CostModel()
        cm.fit(z[rows], tok[rows], truth.costs[rows])
        oof_cost[held] = cm.predict(z[held], tok[held])
    cm = CostModel()
    cm.fit(z, tok, truth.costs)
    return oof_cost, cm.predict(zt, tok_t)


def _knn_maker(k: int) -> Callable[[int], Estimator]:
    return lambda s: KnnEstimator(k=k)


def _scale(sp: Split) -> float:
    """The dial's cost unit, as fit_policy has it: the mean TRAIN cost of the dearest model."""
    return float(sp.truth.filled_costs().mean(axis=0).max())


def score_with(
    sp: Split,
    acc_oof: Array,
    acc: Array,
    cost_oof: Array | None = None,
    cost_test: Array | None = None,
    n_points: int = 32,
    singles: bool = True,
) -> tuple[float, float, float]:
    """(TEST AUC, TEST best quality within half the best model's cost, out-of-fold AUC on TRAIN).

    Accuracy and cost estimates in, scored as `benchroute evaluate` scores them: dial points placed on
    the out-of-fold curve, the hull's single models added, TEST used only for the score.
    """
    cost_oof = sp.oof_cost if cost_oof is None else cost_oof
    cost_test = sp.test_cost if cost_test is None else cost_test
    scale = _scale(sp)
    curve = _sweep(acc_oof, cost_oof / scale, sp.truth)
    lams = _pick_lambdas(curve, n_points)
    cols = [select(acc, cost_test / scale, lam) for lam in lams]
    n = acc.shape[0]
    if singles:
        cols += [np.full(n, m, dtype=np.intp) for m in hull_models(sp.truth)]
    points = [evaluate_choices("", c, sp.test) for c in cols]
    lo, hi = cost_range(sp.test)
    best = max(single_model_points(sp.test), key=lambda p: (p.quality, -p.cost))
    test_auc = auc([(p.cost, p.quality) for p in points], lo, hi)
    return test_auc, best_quality_within(points, 0.5 * best.cost), auc(curve, *cost_range(sp.truth))


def score(sp: Split, blend: tuple[str, ...], n_points: int, singles: bool) -> tuple[float, float]:
    acc_oof = np.mean([sp.oof[k] for k in blend], axis=0)
    acc = np.mean([sp.pred[k] for k in blend], axis=0)
    test_auc, half, _ = score_with(sp, acc_oof, acc, n_points=n_points, singles=singles)
    return test_auc, half


def best_knn_k(sp: Split) -> int:
    """The baseline's k, as run.py chooses it: the best out-of-fold AUC on TRAIN."""
    return max(
        sp.knn_oof,
        key=lambda k: auc(
            _sweep(sp.knn_oof[k], sp.knn_cost[0] / _scale(sp), sp.truth), *cost_range(sp.truth)
        ),
    )


def score_knn(sp: Split) -> tuple[float, float, float]:
    """The kNN baseline as run.py has it: k by out-of-fold AUC, dial points only (no hull singles)."""
    k = best_knn_k(sp)
    return score_with(sp, sp.knn_oof[k], sp.knn_pred[k], *sp.knn_cost, singles=False)


BASELINE = "kNN baseline (plain features, k by OOF AUC)"


def report(name: str, seeds: int, results: dict[str, list[tuple[float, ...]]]) -> None:
    """Mean TEST AUC per variant, the seeds where it beats the kNN baseline, and the half-cost quality."""
    print(f"== {name} ({seeds} seeds)")
    ref = np.array([r[0] for r in results.get(BASELINE, [])], dtype=float)
    for key, rows in results.items():
        a = np.array([r[:2] for r in rows], dtype=float)
        half = float(np.nanmean(a[:, 1])) if np.isfinite(a[:, 1]).any() else float("nan")
        wins = f"{int((a[:, 0] > ref).sum())}/{len(ref)}" if len(ref) == len(a) and key != BASELINE else "-"
        print(f"  {key:52s} AUC {a[:, 0].mean():.4f}  > kNN {wins:5s}  half cost {half:.4f}", flush=True)


def common_args(seeds: int) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "shared" / "data")
    ap.add_argument("--seeds", type=int, default=seeds)
    ap.add_argument("--max-train", type=int, default=400)
    ap.add_argument("--max-test", type=int, default=None)
    ap.add_argument("--task-weight", type=float, default=0.3)
    ap.add_argument("--only", default=None, help="dataset names, comma-separated")
    return ap


def selected(args: argparse.Namespace) -> list[str]:
    wanted = set(args.only.split(",")) if args.only else None
    return [name for name in DATASETS if wanted is None or name in wanted]


def main() -> None:
    args = common_args(10).parse_args()
    with threadpool_limits(limits=1):
        for name in selected(args):
            results: dict[str, list[tuple[float, ...]]] = {}
            for seed in range(args.seeds):
                sp = prepare(name, seed, args)
                results.setdefault(BASELINE, []).append(score_knn(sp))
                for blend in BLENDS:
                    for label, (n_points, singles) in SCHEMES.items():
                        key = f"{'+'.join(blend)} @ {label}"
                        results.setdefault(key, []).append(score(sp, blend, n_points, singles))
            report(name, args.seeds, results)


if __name__ == "__main__":
    main()
