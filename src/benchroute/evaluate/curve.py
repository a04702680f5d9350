"""Cost/quality points and the area under the cost/quality curve (docs/evaluate.md defines it).

A point is (mean cost, mean score) of a set of choices over the same prompts. The curve of a set of
points is what can be achieved by mixing them at random: their upper concave envelope, made
non-decreasing (beyond the best point quality stays flat) and zero below the cheapest point. The
area is that curve integrated over the normalised cost range [c_lo, c_hi] (by default the cheapest
and the most expensive single model) and divided by the range: a mean quality in score units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from benchroute.evaluate.outcomes import OutcomeMatrix

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Point:
    label: str
    cost: float
    quality: float
    coverage: float = 1.0  # share of prompts whose chosen model has an observed outcome


def evaluate_choices(label: str, choice: IntArray, truth: OutcomeMatrix) -> Point:
    """Mean score and cost of choosing model index choice[i] for prompt i (unobserved ones skipped)."""
    rows = np.arange(len(choice))
    seen = truth.mask[rows, choice]
    if not seen.any():
        return Point(label, float("nan"), float("nan"), 0.0)
    costs = truth.filled_costs()[rows, choice]
    return Point(
        label,
        cost=float(costs[seen].mean()),
        quality=float(truth.scores[rows, choice][seen].mean()),
        coverage=float(seen.mean()),
    )


def single_model_points(truth: OutcomeMatrix) -> list[Point]:
    n = truth.scores.shape[0]
    return [
        evaluate_choices(m, np.full(n, j, dtype=np.intp), truth)
        for j, m in enumerate(truth.models)
        if truth.mask[:, j].any()
    ]


def oracle_choice(truth: OutcomeMatrix) -> IntArray:
    """Per prompt: the best observed score, ties to the cheapest (a bound no router can beat)."""
    costs = truth.filled_costs()
    best = np.where(truth.mask, truth.scores, -np.inf).max(axis=1)
    ok = truth.mask & (truth.scores >= best[:, None] - 1e-12)
    return np.asarray(np.argmin(np.where(ok, costs, np.inf), axis=1), dtype=np.intp)


def envelope(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Vertices of the non-decreasing upper concave envelope, by increasing cost."""
    pts = sorted(
        {(c, q) for c, q in points if np.isfinite(c) and np.isfinite(q)}, key=lambda p: (p[0], -p[1])
    )
    hull: list[tuple[float, float]] = []
    for p in pts:
        if hull and p[1] <= hull[-1][1]:
            continue  # dominated: no better than a cheaper point
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:
                hull.pop()  # hull[-1] lies on or below the chord
            else:
                break
        hull.append(p)
    return hull


def curve_value(hull: Sequence[tuple[float, float]], cost: float) -> float:
    if not hull or cost < hull[0][0]:
        return 0.0
    xs = [c for c, _ in hull]
    ys = [q for _, q in hull]
    return float(np.interp(cost, xs, ys))


def auc(points: Sequence[tuple[float, float]], c_lo: float, c_hi: float, grid: int = 4001) -> float:
    """Mean of the envelope over [c_lo, c_hi] (its value at c_lo when the range is empty)."""
    hull = envelope(points)
    if not hull:
        return 0.0
    if c_hi <= c_lo:
        return curve_value(hull, c_lo)
    xs = np.linspace(c_lo, c_hi, grid)
    hx = np.array([c for c, _ in hull])
    hy = np.array([q for _, q in hull])
    ys = np.where(xs < hx[0], 0.0, np.interp(xs, hx, hy))
    area = float(((ys[1:] + ys[:-1]) * np.diff(xs)).sum() / 2.0)
    return area / (c_hi - c_lo)


def best_quality_within(points: Sequence[Point], budget: float) -> float:
    """Best quality among actual points (no mixing) whose mean cost is within budget."""
    ok = [p.quality for p in points if p.cost <= budget + 1e-15 and np.isfinite(p.quality)]
    return max(ok) if ok else float("nan")
