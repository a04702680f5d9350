#!/usr/bin/env python3
"""The production router on every public outcome matrix: what `benchroute evaluate` now runs.

Per dataset and seed (the same splits as run.py): TRAIN built into fitted evidence as the shipped
leaderboard is built, TEST routed by the shipped classifier and the gateway's Router at dials 0,
0.25, 0.5, 0.75 and 1; printed beside the single-model hull (AUC of each curve over the cost range
of the dataset's models, docs/evaluate.md) and the kNN baseline of run.py (`--with-knn`).

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=src python benchmarks/evaluate/production.py --seeds 3 --max-train 1500
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from learned.router import cost_range
from run import split

from benchroute.evaluate.curve import auc, single_model_points
from benchroute.evaluate.datasets import DATASETS, load
from benchroute.evaluate.outcomes import OutcomeMatrix
from benchroute.evaluate.replay import replay, score_replay
from benchroute.routing.factory import load_classifier
from benchroute.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "shared" / "data")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--test-share", type=float, default=0.3)
    ap.add_argument("--max-train", type=int, default=None)
    ap.add_argument("--max-test", type=int, default=None)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    classifier = load_classifier(Settings())
    print(f"{'dataset':28} {'seed':>4} {'hull AUC':>9} {'prod AUC':>9}  dial 0 / 0.5 / 1: quality @ cost")
    for name in DATASETS:
        if args.only and name != args.only:
            continue
        records = load(name, args.data)
        for seed in range(args.seeds):
            train, test = split(records, args.test_share, seed, args.max_train, args.max_test)
            t0 = time.perf_counter()
            points = score_replay(replay(train, test, classifier), test)
            truth = OutcomeMatrix.from_records(test)
            lo, hi = cost_range(truth)
            singles = single_model_points(truth)
            hull = auc([(p.cost, p.quality) for p in singles], lo, hi)
            prod = auc([(p.cost, p.quality) for p in points], lo, hi)
            picks = " / ".join(f"{p.quality:.3f} @ {p.cost:.5f}" for p in (points[0], points[2], points[-1]))
            secs = time.perf_counter() - t0
            print(f"{name:28} {seed:>4} {hull:>9.4f} {prod:>9.4f}  {picks}  ({secs:.0f} s)")


if __name__ == "__main__":
    main()
