"""Measure `benchroute evaluate` on the shared outcome matrices with held-out splits and several seeds.

    python benchmarks/evaluate/run.py [--data DIR] [--seeds 3] [--test-share 0.3] [--max-train/--max-test N]
        [--only DATASET] [--task-weight W]

Prints, per dataset and seed, the AUC of the router, the kNN baseline and the single-model hull, the
best single model and the router's best quality within half its cost, and the wall time; then means.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from learned.run import TASK_WEIGHT, fit_and_choose, score

from benchroute.evaluate.datasets import DATASETS, load
from benchroute.evaluate.outcomes import OutcomeRecord

ROOT = Path(__file__).resolve().parents[3]


def split(
    records: list[OutcomeRecord], share: float, seed: int, max_train: int | None, max_test: int | None = None
) -> tuple[list[OutcomeRecord], list[OutcomeRecord]]:
    order = np.random.default_rng(1000 + seed).permutation(len(records))
    n_test = max(1, round(share * len(records)))
    test = [records[i] for i in order[:n_test]][:max_test]
    train = [records[i] for i in order[n_test:]][:max_train]
    return train, test


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "shared" / "data")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--test-share", type=float, default=0.3)
    ap.add_argument("--max-train", type=int, default=None)
    ap.add_argument("--max-test", type=int, default=None)
    ap.add_argument("--only", default=None, help="one dataset folder name")
    ap.add_argument(
        "--task-weight", type=float, default=TASK_WEIGHT, help="classifier features' weight (0: TF-IDF only)"
    )
    args = ap.parse_args()
    for name in DATASETS:
        if args.only and name != args.only:
            continue
        records = load(name, args.data)
        rows = []
        for seed in range(args.seeds):
            train, test = split(records, args.test_share, seed, args.max_train, args.max_test)
            prompts = [OutcomeRecord(id=r.id, text=r.text) for r in test]
            t0 = time.perf_counter()
            choices = fit_and_choose(train, prompts, seed=seed, task_weight=args.task_weight)
            elapsed = time.perf_counter() - t0
            rep = score(choices, test)
            assert rep is not None
            a = rep.auc
            rows.append(
                (
                    a["router"],
                    a["knn_baseline"],
                    a["single_model_hull"],
                    rep.best_single.quality,
                    rep.router_quality_at_half_best_cost,
                    elapsed,
                )
            )
            print(
                f"{name} seed={seed} train={len(train)} test={len(test)} points={len(choices.labels)} "
                f"AUC router={a['router']:.4f} knn={a['knn_baseline']:.4f} hull={a['single_model_hull']:.4f} "
                f"oracle={a['oracle']:.4f} best_single={rep.best_single.label}:{rep.best_single.quality:.4f}"
                f"@{rep.best_single.cost:.3g} router@half={rep.router_quality_at_half_best_cost:.4f} "
                f"time={elapsed:.1f}s",
                flush=True,
            )
        m = np.mean(np.array(rows), axis=0)
        wins_hull = sum(r[0] > r[2] for r in rows)
        wins_knn = sum(r[0] > r[1] for r in rows)
        print(
            f"== {name} mean over {len(rows)} seeds: AUC router={m[0]:.4f} knn={m[1]:.4f} hull={m[2]:.4f} "
            f"(router>hull {wins_hull}/{len(rows)}, router>knn {wins_knn}/{len(rows)}); best single "
            f"{m[3]:.4f}, router@half {m[4]:.4f}; fit+choose {m[5]:.1f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
