"""Train the two heads of `TextClassifier` on the request set, calibrate on dev, measure on test.

Needs scikit-learn (the `train` extra) at train time only; the result runs on numpy alone.
The test split is read once, after everything (C, temperatures, the low-confidence threshold)
has been chosen on train and dev.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from benchroute.routing.features import RequestFeatures, TextVectorizer
from benchroute.routing.taxonomy import DIFFICULTIES, TASK_TYPES
from benchroute.routing.textclf import LinearHead, TextClassifier, softmax
from benchroute.train import metrics
from benchroute.train.data import Split
from benchroute.train.ordinal import fit_ordinal

FloatArray = npt.NDArray[np.float32]

# Difficulty: C of the ordinal direction (the residual's is a quarter of it, see train/ordinal.py).
C_GRID = {"task": (8.0, 32.0, 128.0), "difficulty": (1.0, 4.0, 16.0)}
LOW_CONFIDENCE_MAX_SHARE = 0.15  # the rule may fire on at most this share of dev requests


@dataclass(frozen=True, slots=True)
class TrainConfig:
    max_features: int = 30_000
    min_df: int = 2
    c_task: float | None = None  # None: choose on dev from C_GRID
    c_difficulty: float | None = None
    max_iter: int = 1000
    seed: int = 0
    # A hand-written whole request's weight against one template instance, in the fits and on dev.
    written_weight: float = 1.0


def _sparse(vec: TextVectorizer, feats: list[RequestFeatures]) -> Any:
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


F64 = npt.NDArray[np.float64]
Fitter = Callable[[Any, npt.NDArray[np.int64], int, float, "TrainConfig", F64], tuple[Any, Any]]


def _fit(
    x: Any, y: npt.NDArray[np.int64], n_labels: int, c: float, cfg: TrainConfig, weights: F64
) -> tuple[Any, Any]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=cfg.max_iter, random_state=cfg.seed, tol=1e-5)
    model.fit(x, y, sample_weight=weights)
    coef = np.zeros((n_labels, x.shape[1]))
    bias = np.full(n_labels, -20.0)  # a label absent from training keeps ~0 mass
    for k, label in enumerate(model.classes_):
        coef[label], bias[label] = model.coef_[k], model.intercept_[k]
    return coef, bias


def _fit_ordinal(
    x: Any, y: npt.NDArray[np.int64], n_labels: int, c: float, cfg: TrainConfig, weights: F64
) -> tuple[Any, Any]:
    return fit_ordinal(x, y, n_labels, c, cfg.max_iter, weights)


def fit_temperature(
    logits: FloatArray, labels: npt.NDArray[np.int64], weights: npt.NDArray[np.float64] | None = None
) -> float:
    """The temperature minimising held-out negative log-likelihood (grid, then refined), each
    request weighing `weights` (None: the same)."""
    if len(labels) == 0:
        return 1.0
    w = None if weights is None else np.asarray(weights, dtype=np.float64) / np.sum(weights)

    def nll(t: float) -> float:
        p = softmax(logits / t)
        log_p = np.log(p[np.arange(len(labels)), labels] + 1e-12)
        return float(-np.mean(log_p) if w is None else -np.sum(w * log_p))

    grid = np.exp(np.linspace(math.log(0.1), math.log(10.0), 61))
    best = float(min(grid, key=nll))
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


def logits(head: LinearHead, x: Any) -> FloatArray:
    w = np.vstack([head.w, head.s])
    out: FloatArray = np.asarray(x @ w + head.b, dtype=np.float32)
    return out


def _best_head(
    labels: tuple[str, ...],
    x: dict[str, Any],
    y: dict[str, Any],
    w: dict[str, F64],
    c: float | None,
    cfg: TrainConfig,
    vocab: int,
    grid: tuple[float, ...],
    fitter: Fitter = _fit,
) -> tuple[LinearHead, float]:
    """Fit on train for each C (or the given one); keep the best dev log-loss after calibration."""
    best: tuple[float, LinearHead, float] | None = None
    for c_value in [c] if c is not None else list(grid):
        head = _head(labels, *fitter(x["train"], y["train"], len(labels), c_value, cfg, w["train"]), vocab)
        z = logits(head, x["dev"])
        head.temperature = fit_temperature(z, y["dev"], w["dev"])
        p = softmax(z / head.temperature)
        log_p = np.log(p[np.arange(len(y["dev"])), y["dev"]] + 1e-12)
        loss = float(-np.average(log_p, weights=w["dev"]))
        if best is None or loss < best[0]:
            best = (loss, head, c_value)
    assert best is not None
    return best[1], best[2]


def train(
    splits: dict[str, Split], config: TrainConfig | None = None
) -> tuple[TextClassifier, dict[str, Any]]:
    cfg = config or TrainConfig()
    vec = TextVectorizer(max_features=cfg.max_features, min_df=cfg.min_df)
    vec.fit(f.text for f in splits["train"].features)
    x = {name: _sparse(vec, s.features) for name, s in splits.items()}
    task_y = {name: s.task for name, s in splits.items()}
    diff_y = {name: s.difficulty for name, s in splits.items()}
    w = {name: s.weights(cfg.written_weight) for name, s in splits.items()}
    task_head, c_task = _best_head(TASK_TYPES, x, task_y, w, cfg.c_task, cfg, vec.size, C_GRID["task"])
    diff_head, c_diff = _best_head(
        DIFFICULTIES, x, diff_y, w, cfg.c_difficulty, cfg, vec.size, C_GRID["difficulty"], _fit_ordinal
    )

    p_dev = softmax(logits(task_head, x["dev"]) / task_head.temperature)
    threshold = metrics.choose_threshold(p_dev, task_y["dev"], LOW_CONFIDENCE_MAX_SHARE)
    clf = TextClassifier(
        vectorizer=vec, task_head=task_head, difficulty_head=diff_head, low_confidence=threshold
    )
    report = {
        "config": {**asdict(cfg), "c_task": c_task, "c_difficulty": c_diff},
        "low_confidence_threshold": threshold,
        "temperatures": {"task": task_head.temperature, "difficulty": diff_head.temperature},
        "vocabulary": vec.size,
        "counts": {name: len(s.records) for name, s in splits.items()},
        "dev": metrics.evaluate(clf, splits["dev"]),
        "test": metrics.evaluate(clf, splits["test"]),
    }
    clf.meta = {"seed": cfg.seed, "metrics": report}
    return clf, report
