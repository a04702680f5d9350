"""Held-out figures for the classifier: accuracy, calibration, the low-confidence rule, breakdowns."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

from benchroute.routing.textclf import TextClassifier
from benchroute.train.data import Split

CURVE_POINTS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def expected_calibration_error(probs: npt.NDArray[Any], labels: npt.NDArray[Any], bins: int = 15) -> float:
    """Top-label ECE with equal-width confidence bins."""
    if len(labels) == 0:
        return float("nan")
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(ece)


def coverage(probs: npt.NDArray[Any], labels: npt.NDArray[Any], threshold: float) -> tuple[float, float]:
    """(share of requests below `threshold` = the rule fires, accuracy on the rest)."""
    conf = probs.max(axis=1)
    keep = conf >= threshold
    correct = probs.argmax(axis=1) == labels
    acc = float(correct[keep].mean()) if keep.any() else float("nan")
    return float(1.0 - keep.mean()), acc


def choose_threshold(probs: npt.NDArray[Any], labels: npt.NDArray[Any], max_share: float) -> float:
    """The confidence threshold that maximises accuracy above it while firing on <= max_share."""
    best_t, best_acc = 0.0, -1.0
    for t in np.round(np.arange(0.0, 1.0, 0.01), 2):
        fires, acc = coverage(probs, labels, float(t))
        if fires <= max_share and acc >= best_acc:
            best_t, best_acc = float(t), acc
    return best_t


def curve(probs: npt.NDArray[Any], labels: npt.NDArray[Any]) -> list[tuple[float, float, float]]:
    """(threshold, share fired, accuracy above) at a few thresholds, for docs/classifier.md."""
    return [(t, *coverage(probs, labels, t)) for t in CURVE_POINTS]


def predict(clf: TextClassifier, split: Split) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    pairs = [clf.predict_features(f) for f in split.features]
    if not pairs:
        return np.zeros((0, len(clf.task_head.labels))), np.zeros((0, len(clf.difficulty_head.labels)))
    return np.stack([p for p, _ in pairs]), np.stack([d for _, d in pairs])


def _by(keys: list[str], correct: npt.NDArray[Any]) -> dict[str, list[float]]:
    groups: dict[str, list[bool]] = defaultdict(list)
    for key, ok in zip(keys, correct, strict=True):
        groups[key].append(bool(ok))
    return {k: [round(float(np.mean(v)), 3), len(v)] for k, v in sorted(groups.items())}


def evaluate(clf: TextClassifier, split: Split) -> dict[str, Any]:
    """Accuracy, ECE and the low-confidence rule on one split, with breakdowns."""
    p_task, p_diff = predict(clf, split)
    y_task, y_diff = split.task, split.difficulty
    task_ok = p_task.argmax(axis=1) == y_task
    diff_pred = p_diff.argmax(axis=1)
    fires, acc_above = coverage(p_task, y_task, clf.low_confidence)
    return {
        "n": len(y_task),
        "task_accuracy": round(float(task_ok.mean()), 4),
        "task_ece": round(expected_calibration_error(p_task, y_task), 4),
        "difficulty_accuracy": round(float((diff_pred == y_diff).mean()), 4),
        "difficulty_off_by_two": round(float((np.abs(diff_pred - y_diff) == 2).mean()), 4),
        "difficulty_ece": round(expected_calibration_error(p_diff, y_diff), 4),
        "low_confidence_fires": round(fires, 4),
        "accuracy_above_threshold": round(acc_above, 4),
        "curve": [[round(v, 4) for v in row] for row in curve(p_task, y_task)],
        "task_accuracy_by_client": _by(split.column("client"), task_ok),
        "task_accuracy_by_language": _by(split.column("language"), task_ok),
        "task_accuracy_by_type": _by(split.column("task_type"), task_ok),
        "task_accuracy_by_source": _by(split.column("source"), task_ok),
        "difficulty_accuracy_by_client": _by(split.column("client"), diff_pred == y_diff),
    }
