"""`benchroute evaluate` end to end: fit on TRAIN, choose for TEST prompts, then (separately) score.

Routing only ever receives TEST prompts (`OutcomeRecord`s read with outcomes dropped); scoring takes
the choices and TEST outcomes afterwards. That split is what guarantees TEST outcomes never steer a
choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from benchroute.evaluate.curve import (
    Point,
    auc,
    best_quality_within,
    evaluate_choices,
    oracle_choice,
    single_model_points,
)
from benchroute.evaluate.outcomes import OutcomeMatrix, OutcomeRecord
from learned.features import TextFeaturizer, token_count
from learned.router import (
    LAMBDA_GRID,
    Policy,
    cost_range,
    fit_policy,
    knn_designs,
    router_designs,
    select,
)
from learned.taskfeatures import TaskFeatures

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

DEFAULT_POINTS = 32
TASK_WEIGHT = 0.3


@dataclass
class Choices:
    """Chosen model index per TEST prompt and operating point, for the router and the kNN baseline."""

    ids: list[str]
    models: tuple[str, ...]
    labels: list[str]
    router: IntArray  # (n, points)
    baseline: IntArray  # (n, points)
    router_policy: Policy
    baseline_policy: Policy

    def lines(self) -> list[dict[str, str]]:
        return [
            {"id": pid, "point": label, "model": self.models[int(self.router[i, j])]}
            for i, pid in enumerate(self.ids)
            for j, label in enumerate(self.labels)
        ]


def fit_and_choose(
    train: Sequence[OutcomeRecord],
    test_prompts: Sequence[OutcomeRecord],
    *,
    seed: int = 0,
    n_points: int = DEFAULT_POINTS,
    folds: int = 5,
    task_weight: float = TASK_WEIGHT,
) -> Choices:
    """Fit on TRAIN, choose for TEST prompts: `n_points` dial points plus TRAIN's hull single models.

    `task_weight` is the weight of the shipped classifier's task/difficulty features (0: TF-IDF only).
    """
    # The matrices are small: BLAS threads only add contention (10x slower on a busy 2-core box).
    with threadpool_limits(limits=1):
        return _fit_and_choose(
            train, test_prompts, seed=seed, n_points=n_points, folds=folds, task_weight=task_weight
        )


def _fit_and_choose(
    train: Sequence[OutcomeRecord],
    test_prompts: Sequence[OutcomeRecord],
    *,
    seed: int,
    n_points: int,
    folds: int,
    task_weight: float,
) -> Choices:
    truth = OutcomeMatrix.from_records(train)
    if not truth.models:
        raise ValueError("TRAIN has no outcomes")
    featurizer = TextFeaturizer(seed=seed)
    z_train = featurizer.fit_transform([r.text for r in train])
    z_test = featurizer.transform([r.text for r in test_prompts]) if test_prompts else z_train[:0]
    # The kNN baseline keeps the plain TF-IDF/LSA vectors; the router adds the classifier's view.
    plain_train, plain_test = z_train, z_test
    if task_weight > 0:
        task = TaskFeatures(weight=task_weight)
        z_train = task.augment(z_train, task.fit([r.text for r in train]))
        z_test = task.augment(z_test, task.features([r.text for r in test_prompts]))
    tok_train = np.array([token_count(r.text) for r in train], dtype=np.float64)
    tok_test = np.array([token_count(r.text) for r in test_prompts], dtype=np.float64)
    router = fit_policy(
        z_train, tok_train, truth, router_designs(), n_points=n_points, folds=folds, seed=seed
    )
    baseline = fit_policy(
        plain_train,
        tok_train,
        truth,
        knn_designs(),
        n_points=n_points,
        folds=folds,
        seed=seed,
        with_singles=False,
    )
    return Choices(
        ids=[r.id for r in test_prompts],
        models=truth.models,
        labels=router.labels,
        router=router.choose(z_test, tok_test),
        baseline=baseline.choose(plain_test, tok_test),
        router_policy=router,
        baseline_policy=baseline,
    )


def _curve(points: Sequence[Point], lo: float, hi: float) -> float:
    return auc([(p.cost, p.quality) for p in points], lo, hi)


def _num(x: float) -> float | None:
    """JSON has no NaN: an undefined figure (nothing observed, nothing within budget) is null."""
    return x if np.isfinite(x) else None


@dataclass
class Report:
    singles: list[Point]
    oracle: Point
    router: list[Point]
    baseline: list[Point]
    auc: dict[str, float]
    cost_lo: float
    cost_hi: float
    best_single: Point
    router_quality_at_half_best_cost: float
    design: str
    baseline_design: str
    cv_auc: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def pt(p: Point) -> dict[str, Any]:
            return {
                "label": p.label,
                "cost": _num(p.cost),
                "quality": _num(p.quality),
                "coverage": p.coverage,
            }

        return {
            "auc": self.auc,
            "cost_range": [self.cost_lo, self.cost_hi],
            "best_single": pt(self.best_single),
            "router_quality_at_half_best_cost": _num(self.router_quality_at_half_best_cost),
            "reaches_best_at_half_cost": bool(
                self.router_quality_at_half_best_cost >= self.best_single.quality - 1e-12
            ),
            "design": self.design,
            "baseline_design": self.baseline_design,
            "cv_auc": self.cv_auc,
            "router": [pt(p) for p in self.router],
            "knn_baseline": [pt(p) for p in self.baseline],
            "single_models": [pt(p) for p in self.singles],
            "oracle": pt(self.oracle),
        }


def score(choices: Choices, test: Sequence[OutcomeRecord]) -> Report | None:
    """Quality and cost per point from TEST outcomes; None when TEST carries no outcomes."""
    by_id = {r.id: r for r in test}
    ordered = [by_id[i] for i in choices.ids]
    truth = OutcomeMatrix.from_records(ordered, models=choices.models)
    if not truth.mask.any():
        return None
    singles = single_model_points(truth)
    lo, hi = cost_range(truth)
    router = [evaluate_choices(lab, choices.router[:, j], truth) for j, lab in enumerate(choices.labels)]
    baseline = [
        evaluate_choices(lab, choices.baseline[:, j], truth)
        for j, lab in enumerate(choices.baseline_policy.labels)
    ]
    oracle = evaluate_choices("oracle", oracle_choice(truth), truth)
    # The oracle's own frontier: the same dial, applied with the true scores and costs.
    filled = truth.filled_costs()
    true_acc = np.where(truth.mask, truth.scores, -1.0)
    oracle_curve = [
        evaluate_choices("", select(true_acc, filled / (filled.mean() or 1.0), lam), truth)
        for lam in LAMBDA_GRID
    ]
    best = max(singles, key=lambda p: (p.quality, -p.cost))
    return Report(
        singles=singles,
        oracle=oracle,
        router=router,
        baseline=baseline,
        auc={
            "router": _curve(router, lo, hi),
            "knn_baseline": _curve(baseline, lo, hi),
            "single_model_hull": _curve(singles, lo, hi),
            "oracle": _curve([*oracle_curve, oracle], lo, hi),
        },
        cost_lo=lo,
        cost_hi=hi,
        best_single=best,
        router_quality_at_half_best_cost=best_quality_within(router, 0.5 * best.cost),
        design=choices.router_policy.design,
        baseline_design=choices.baseline_policy.design,
        cv_auc=choices.router_policy.cv_auc,
    )


def format_report(report: Report) -> str:
    lines = [f"{'':<28} {'quality':>8} {'cost':>12} {'coverage':>8}"]

    def row(name: str, p: Point) -> None:
        lines.append(f"{name[:28]:<28} {p.quality:>8.4f} {p.cost:>12.6g} {p.coverage:>8.2f}")

    lines.append(f"router ({report.design}):")
    for p in report.router:
        row(f"  {p.label}", p)
    lines.append(f"knn baseline ({report.baseline_design}):")
    for p in report.baseline:
        row(f"  {p.label}", p)
    lines.append("single models:")
    for p in sorted(report.singles, key=lambda p: p.cost):
        row(f"  {p.label}", p)
    row("oracle", report.oracle)
    lines.append(
        f"AUC over cost [{report.cost_lo:.6g}, {report.cost_hi:.6g}]: "
        + ", ".join(f"{k} {v:.4f}" for k, v in report.auc.items())
    )
    b = report.best_single
    lines.append(
        f"best single {b.label}: quality {b.quality:.4f} at {b.cost:.6g}; router best quality within half "
        f"that cost: {report.router_quality_at_half_best_cost:.4f}"
    )
    return "\n".join(lines)
