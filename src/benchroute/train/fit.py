"""Train the two heads of `TextClassifier`, calibrate them, and measure them on the held-out split.

Needs scikit-learn (the `train` extra) at train time only; the result runs on numpy alone.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from benchroute.routing.features import RequestFeatures, TextVectorizer, extract
from benchroute.routing.taxonomy import DIFFICULTIES, TASK_TYPES
from benchroute.routing.textclf import LinearHead, TextClassifier, softmax
from benchroute.train.dataset import Dataset
from benchroute.train.examples import Example

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class TrainConfig:
    max_features: int = 40_000
    min_df: int = 2
    c_task: float = 8.0
    c_difficulty: float = 1.0
    max_iter: int = 300


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


def _sparse(vec: TextVectorizer, feats: Sequence[RequestFeatures]) -> Any:
    from scipy import sparse

    rows, cols, vals = [], [], []
    for i, f in enumerate(feats):
        idx, v = vec.encode(f.text)
        rows.append(np.full(len(idx), i, dtype=np.int64))
        cols.append(idx)
        vals.append(v)
    text = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(feats), vec.size)
    )
    struct = sparse.csr_matrix(np.stack([f.struct for f in feats]))
    return sparse.hstack([text, struct], format="csr")


def _fit_head(x: Any, y: npt.NDArray[np.int64], n_labels: int, c: float, max_iter: int, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=max_iter, random_state=seed, tol=1e-4)
    model.fit(x, y)
    if list(model.classes_) != list(range(n_labels)):
        # A label absent from training: pad it with a very negative bias so it keeps ~0 mass.
        coef = np.zeros((n_labels, x.shape[1]))
        bias = np.full(n_labels, -20.0)
        for k, label in enumerate(model.classes_):
            coef[label], bias[label] = model.coef_[k], model.intercept_[k]
        return coef, bias
    return model.coef_, model.intercept_


def fit_temperature(logits: FloatArray, labels: npt.NDArray[np.int64]) -> float:
    """The temperature minimising held-out negative log-likelihood (grid, then refined)."""
    if len(labels) == 0:
        return 1.0

    def nll(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12)))

    grid = np.exp(np.linspace(math.log(0.2), math.log(5.0), 41))
    best = min(grid, key=nll)
    lo, hi = best / 1.1, best * 1.1
    for _ in range(30):
        m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        if nll(m1) < nll(m2):
            hi = m2
        else:
            lo = m1
    return float((lo + hi) / 2)


def _head(labels: tuple[str, ...], coef: Any, bias: Any, vocab: int) -> LinearHead:
    w = np.asarray(coef, dtype=np.float32).T
    # Stored as float16 in the artifact: round now so calibration sees the shipped weights.
    return LinearHead(
        labels=labels,
        w=w[:vocab].astype(np.float16).astype(np.float32),
        s=np.ascontiguousarray(w[vocab:]),
        b=np.asarray(bias, dtype=np.float32),
    )


def _logits(head: LinearHead, x: Any) -> FloatArray:
    w = np.vstack([head.w, head.s])
    out: FloatArray = np.asarray(x @ w + head.b, dtype=np.float32)
    return out


def train(dataset: Dataset, config: TrainConfig | None = None) -> tuple[TextClassifier, dict[str, Any]]:
    cfg = config or TrainConfig()
    seed = dataset.seed
    parts = {name: dataset.split(name) for name in ("fit", "calib", "test")}
    feats = {name: [extract(e.to_request()) for e in exs] for name, exs in parts.items()}

    vec = TextVectorizer(max_features=cfg.max_features, min_df=cfg.min_df)
    vec.fit(f.text for f in feats["fit"])
    x = {name: _sparse(vec, fs) for name, fs in feats.items()}

    def task_y(exs: list[Example]) -> npt.NDArray[np.int64]:
        return np.asarray([TASK_TYPES.index(e.task_type) for e in exs], dtype=np.int64)

    def diff_y(exs: list[Example]) -> npt.NDArray[np.int64]:
        return np.asarray([DIFFICULTIES.index(e.difficulty or "medium") for e in exs], dtype=np.int64)

    def task_mask(exs: list[Example]) -> npt.NDArray[np.bool_]:
        return np.asarray([not e.meta.get("difficulty_only") for e in exs], dtype=bool)

    def diff_mask(exs: list[Example]) -> npt.NDArray[np.bool_]:
        return np.asarray([e.difficulty is not None for e in exs], dtype=bool)

    fit = parts["fit"]
    tm, dm = task_mask(fit), diff_mask(fit)
    coef, bias = _fit_head(x["fit"][tm], task_y(fit)[tm], len(TASK_TYPES), cfg.c_task, cfg.max_iter, seed)
    task_head = _head(TASK_TYPES, coef, bias, vec.size)
    coef, bias = _fit_head(
        x["fit"][dm], diff_y(fit)[dm], len(DIFFICULTIES), cfg.c_difficulty, cfg.max_iter, seed
    )
    diff_head = _head(DIFFICULTIES, coef, bias, vec.size)

    cal = parts["calib"]
    ctm, cdm = task_mask(cal), diff_mask(cal)
    task_head.temperature = fit_temperature(_logits(task_head, x["calib"][ctm]), task_y(cal)[ctm])
    diff_head.temperature = fit_temperature(_logits(diff_head, x["calib"][cdm]), diff_y(cal)[cdm])

    clf = TextClassifier(vectorizer=vec, task_head=task_head, difficulty_head=diff_head)
    metrics = evaluate(clf, parts["test"], x["test"])
    metrics["counts"] = dataset.counts()
    metrics["temperatures"] = {"task": task_head.temperature, "difficulty": diff_head.temperature}
    metrics["vocabulary"] = vec.size
    clf.meta = {
        "seed": seed,
        "config": cfg.__dict__ if hasattr(cfg, "__dict__") else _cfg_dict(cfg),
        "metrics": metrics,
    }
    return clf, metrics


def _cfg_dict(cfg: TrainConfig) -> dict[str, Any]:
    return {name: getattr(cfg, name) for name in cfg.__slots__}


def evaluate(clf: TextClassifier, exs: list[Example], x: Any) -> dict[str, Any]:
    """Held-out metrics: accuracy and ECE for task type, difficulty and cell; per-source accuracy."""
    p_task = softmax(_logits(clf.task_head, x) / clf.task_head.temperature)
    p_diff = softmax(_logits(clf.difficulty_head, x) / clf.difficulty_head.temperature)
    y_task = np.asarray([TASK_TYPES.index(e.task_type) for e in exs])
    has_d = np.asarray([e.difficulty is not None for e in exs], dtype=bool)
    y_diff = np.asarray([DIFFICULTIES.index(e.difficulty) if e.difficulty else -1 for e in exs])
    tmask = np.asarray([not e.meta.get("difficulty_only") for e in exs], dtype=bool)
    n_d = len(DIFFICULTIES)
    joint = (p_task[:, :, None] * p_diff[:, None, :]).reshape(len(exs), -1)
    y_cell = y_task * n_d + y_diff

    per_source: dict[str, list[int]] = defaultdict(list)
    per_type: dict[str, list[int]] = defaultdict(list)
    pred = p_task.argmax(axis=1)
    for i, e in enumerate(exs):
        if tmask[i]:
            per_source[e.source].append(int(pred[i] == y_task[i]))
            per_type[e.task_type].append(int(pred[i] == y_task[i]))

    def acc(p: npt.NDArray[Any], y: npt.NDArray[Any]) -> float:
        return float((p.argmax(axis=1) == y).mean()) if len(y) else float("nan")

    return {
        "n_test": int(tmask.sum()),
        "n_test_difficulty": int(has_d.sum()),
        "task_accuracy": acc(p_task[tmask], y_task[tmask]),
        "task_ece": expected_calibration_error(p_task[tmask], y_task[tmask]),
        "difficulty_accuracy": acc(p_diff[has_d], y_diff[has_d]),
        "difficulty_ece": expected_calibration_error(p_diff[has_d], y_diff[has_d]),
        "cell_accuracy": acc(joint[has_d], y_cell[has_d]),
        "cell_ece": expected_calibration_error(joint[has_d], y_cell[has_d]),
        "task_accuracy_by_type": {k: round(float(np.mean(v)), 3) for k, v in sorted(per_type.items())},
        "task_accuracy_by_source": {
            k: [round(float(np.mean(v)), 3), len(v)] for k, v in sorted(per_source.items())
        },
    }
