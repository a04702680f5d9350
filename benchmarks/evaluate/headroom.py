"""How much quality is there to gain at half the best single model's cost, and from what kind of signal?

    python benchmarks/evaluate/headroom.py [--data DIR] [--only DATASET]

Per dataset (all prompts, no split: these are bounds, not a router), with Q* and C* the best single
model's mean score and cost, the best quality reachable within C*/2 by:

- `mix`: mixing single models at random (the single-model hull at C*/2; what a router without any
  prompt signal gets);
- `category`: a rule per source category (the dataset's task label), choosing per category from the
  category's own mean scores and costs (an upper bound for a router whose only signal is "which
  category is this prompt", knowing each category's outcomes exactly);
- `oracle`: the best model per prompt, knowing every prompt's outcome.

Each rule family is swept over the router's dial (`evaluate.router.select` over `LAMBDA_GRID`, scored
by `evaluate_choices`, as in `benchroute evaluate`); the reported quality is that of
the envelope of its points (random mixing allowed, as in the AUC) at C*/2. If `category` stays below
Q*, reaching Q* at half cost needs signal within a category: which question of the same kind the
cheaper model gets wrong.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt
from learned.router import LAMBDA_GRID, select

from benchroute.evaluate.curve import curve_value, envelope, evaluate_choices, single_model_points
from benchroute.evaluate.datasets import DATASETS, load
from benchroute.evaluate.outcomes import OutcomeMatrix

ROOT = Path(__file__).resolve().parents[3]

FloatArray = npt.NDArray[np.float64]


def _sweep(
    choose_score: FloatArray, choose_cost: FloatArray, truth: OutcomeMatrix
) -> list[tuple[float, float]]:
    """Scored (cost, quality) of the router's own rule `select` on the given estimates, every dial value."""
    scale = float(choose_cost.mean(axis=0).max()) or 1.0
    points = [
        evaluate_choices("", select(choose_score, choose_cost / scale, lam), truth) for lam in LAMBDA_GRID
    ]
    return [(p.cost, p.quality) for p in points]


def _at(points: list[tuple[float, float]], budget: float) -> float:
    """Quality at `budget` of the envelope of `points` (mixed at random); nan if none is cheap enough."""
    hull = envelope(points)
    return curve_value(hull, budget) if hull and budget >= hull[0][0] else float("nan")


def headroom(truth: OutcomeMatrix, categories: list[str]) -> dict[str, float]:
    scores = np.where(truth.mask, truth.scores, 0.0)
    costs = truth.filled_costs()
    singles = single_model_points(truth)
    best = max(singles, key=lambda p: (p.quality, -p.cost))
    budget = 0.5 * best.cost
    cat_score = np.zeros_like(scores)
    cat_cost = np.zeros_like(costs)
    labels = np.array(categories)
    for c in set(categories):
        rows = labels == c
        cat_score[rows] = scores[rows].mean(axis=0)
        cat_cost[rows] = costs[rows].mean(axis=0)
    singles_xy = [(p.cost, p.quality) for p in singles]
    return {
        "best": best.quality,
        "best_cost": best.cost,
        "mix": _at(singles_xy, budget),
        "category": _at(singles_xy + _sweep(cat_score, cat_cost, truth), budget),
        "oracle": _at(singles_xy + _sweep(scores, costs, truth), budget),
        "categories": float(len(set(categories))),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "shared" / "data")
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    print(
        "| dataset | best single (Q*) | mix at C*/2 | category rule at C*/2 (categories) | oracle at C*/2 |"
    )
    print("|---|---|---|---|---|")
    for name in DATASETS:
        if args.only and name != args.only:
            continue
        records = load(name, args.data)
        truth = OutcomeMatrix.from_records(records)
        h = headroom(truth, [r.task_type or "" for r in records])
        print(
            f"| {name} | {h['best']:.4f} | {h['mix']:.4f} | {h['category']:.4f} ({h['categories']:.0f}) "
            f"| {h['oracle']:.4f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
