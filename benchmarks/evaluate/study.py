"""Design study: estimator parts and operating-point schemes compared on held-out TEST AUC.

    python benchmarks/evaluate/study.py [--seeds 10] [--max-train 400] [--max-test N] [--task-weight 0.3]

Per dataset and seed (the same splits as run.py) it featurises once, computes out-of-fold (5-fold on
TRAIN) and TEST predictions of every estimator part once, and then scores blends of the parts and point
schemes exactly like `benchroute evaluate` does (dial points placed on the out-of-fold curve, TEST only
for the score). Prints the mean TEST AUC and the best quality within half the best model's cost.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from run import split
from threadpoolctl import threadpool_limits

from benchroute.evaluate.curve import auc, best_quality_within, evaluate_choices, single_model_points
from benchroute.evaluate.datasets import DATASETS, load
from benchroute.evaluate.estimators import (
    CostModel,
    Estimator,
    KnnEstimator,
    LogisticEstimator,
    RidgeEstimator,
)
from benchroute.evaluate.features import TextFeaturizer, token_count
from benchroute.evaluate.outcomes import OutcomeMatrix
from benchroute.evaluate.router import (
    _cells,
    _folds,
    _pick_lambdas,
    _shrunk_knn,
    _sweep,
    cost_range,
    hull_models,
    select,
)
from benchroute.evaluate.taskfeatures import TaskFeatures

ROOT = Path(__file__).resolve().parents[3]
Array = np.ndarray

PARTS: dict[str, Callable[[int], Estimator]] = {
    "cells": _cells,
    "ridge": lambda s: RidgeEstimator(lam=30.0),
    "logistic": lambda s: LogisticEstimator(lam=3.0),
    "sknn": _shrunk_knn,
    "knn20": lambda s: KnnEstimator(k=20),
}
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


def prepare(name: str, seed: int, args: argparse.Namespace) -> Split:
    records = load(name, args.data)
    train, test = split(records, 0.3, seed, args.max_train, args.max_test)
    truth = OutcomeMatrix.from_records(train)
    held_out = OutcomeMatrix.from_records(test, models=truth.models)
    feat = TextFeaturizer(seed=seed)
    z = feat.fit_transform([r.text for r in train])
    zt = feat.transform([r.text for r in test])
    if args.task_weight > 0:
        task = TaskFeatures(weight=args.task_weight)
        z = task.augment(z, task.fit([r.text for r in train]))
        zt = task.augment(zt, task.features([r.text for r in test]))
    tok = np.array([token_count(r.text) for r in train], dtype=float)
    tok_t = np.array([token_count(r.text) for r in test], dtype=float)
    n = len(train)
    oof = {k: np.zeros(truth.scores.shape) for k in PARTS}
    oof_cost = np.zeros(truth.scores.shape)
    for held in _folds(n, 5, np.random.default_rng(seed)):
        rows = np.setdiff1d(np.arange(n), held)
        cm = CostModel()
        cm.fit(z[rows], tok[rows], truth.costs[rows])
        oof_cost[held] = cm.predict(z[held], tok[held])
        for key, make in PARTS.items():
            est = make(seed)
            est.fit(z[rows], truth.scores[rows], truth.mask[rows])
            oof[key][held] = est.predict(z[held])
    pred = {}
    for key, make in PARTS.items():
        est = make(seed)
        est.fit(z, truth.scores, truth.mask)
        pred[key] = est.predict(zt)
    cm = CostModel()
    cm.fit(z, tok, truth.costs)
    return Split(truth, held_out, oof, pred, oof_cost, cm.predict(zt, tok_t))


def score(sp: Split, blend: tuple[str, ...], n_points: int, singles: bool) -> tuple[float, float]:
    scale = float(sp.truth.filled_costs().mean(axis=0).max())
    acc_oof = np.mean([sp.oof[k] for k in blend], axis=0)
    acc = np.mean([sp.pred[k] for k in blend], axis=0)
    lams = _pick_lambdas(_sweep(acc_oof, sp.oof_cost / scale, sp.truth), n_points)
    cols = [select(acc, sp.test_cost / scale, lam) for lam in lams]
    n = acc.shape[0]
    if singles:
        cols += [np.full(n, m, dtype=np.intp) for m in hull_models(sp.truth)]
    points = [evaluate_choices("", c, sp.test) for c in cols]
    lo, hi = cost_range(sp.test)
    best = max(single_model_points(sp.test), key=lambda p: (p.quality, -p.cost))
    return auc([(p.cost, p.quality) for p in points], lo, hi), best_quality_within(points, 0.5 * best.cost)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "shared" / "data")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--max-train", type=int, default=400)
    ap.add_argument("--max-test", type=int, default=None)
    ap.add_argument("--task-weight", type=float, default=0.3)
    ap.add_argument("--only", default=None, help="one dataset name")
    args = ap.parse_args()
    with threadpool_limits(limits=1):
        for name in DATASETS:
            if args.only and name != args.only:
                continue
            results: dict[str, list[tuple[float, float]]] = {}
            for seed in range(args.seeds):
                sp = prepare(name, seed, args)
                for blend in BLENDS:
                    for label, (n_points, singles) in SCHEMES.items():
                        key = f"{'+'.join(blend)} @ {label}"
                        results.setdefault(key, []).append(score(sp, blend, n_points, singles))
            print(f"== {name} ({args.seeds} seeds)")
            for key, rows in results.items():
                a = np.array(rows, dtype=float)
                half = float(np.nanmean(a[:, 1])) if np.isfinite(a[:, 1]).any() else float("nan")
                print(f"  {key:45s} AUC {a[:, 0].mean():.4f}  within half cost {half:.4f}", flush=True)


if __name__ == "__main__":
    main()
