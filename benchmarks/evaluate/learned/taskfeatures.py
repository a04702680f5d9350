"""The shipped task classifier's view of a prompt, as extra features next to the TF-IDF/LSA vector.

`routing.textclf.load_default()` was trained on a labelled set of agent requests, far more than an
outcome file's few hundred: its calibrated P(task type) and P(difficulty) carry knowledge the
prompts of TRAIN alone cannot. Each prompt becomes the 13 log-probabilities (10 routes, 3
difficulties), standardised with TRAIN's mean and spread (at least 0.1), scaled to unit length and
appended to the (unit) prompt vector with weight `weight` (the prompt vector gets
sqrt(1 - weight²)), so rows stay unit vectors and cosine geometry holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from benchroute.routing.features import RequestFeatures, extract
from benchroute.routing.textclf import LinearHead
from benchroute.wire.canonical import ChatRequest, Message, TextPart


@runtime_checkable
class FeatureClassifier(Protocol):
    """What the task features read from a classifier (`TextClassifier`, or the legacy adapter)."""

    task_head: LinearHead
    difficulty_head: LinearHead

    def predict_features(self, features: RequestFeatures) -> tuple[FloatArray, FloatArray]: ...


def load_default() -> FeatureClassifier:
    """The shipped classifier, as the production router loads it (`routing.factory`)."""
    from benchroute.routing.factory import load_classifier
    from benchroute.settings import Settings

    clf = load_classifier(Settings())
    if not isinstance(clf, FeatureClassifier):
        raise TypeError(f"{type(clf).__name__} does not expose the classifier's feature heads")
    return clf


FloatArray = npt.NDArray[np.float64]

STD_FLOOR = 0.1  # in log-probability units


def classifier_log_probs(clf: FeatureClassifier, texts: Sequence[str]) -> FloatArray:
    """(n, task types + difficulties) log-probabilities of each prompt as a single user turn."""
    rows = []
    for text in texts:
        req = ChatRequest(model="auto", messages=[Message(role="user", content=[TextPart(text=text)])])
        p_type, p_diff = clf.predict_features(extract(req))
        rows.append(np.concatenate([p_type, p_diff]).astype(np.float64))
    width = len(clf.task_head.labels) + len(clf.difficulty_head.labels)
    probs = np.vstack(rows) if rows else np.zeros((0, width))
    return np.asarray(np.log(np.clip(probs, 1e-4, 1.0)), dtype=np.float64)


def _unit_rows(x: FloatArray) -> FloatArray:
    return np.asarray(x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12), dtype=np.float64)


@dataclass
class TaskFeatures:
    """fit(TRAIN texts) then augment(z, texts): z with the classifier's standardised log-probabilities."""

    weight: float = 0.3
    clf: FeatureClassifier | None = None
    _mean: FloatArray = field(default_factory=lambda: np.zeros(0))
    _std: FloatArray = field(default_factory=lambda: np.zeros(0))

    def _classifier(self) -> FeatureClassifier:
        if self.clf is None:
            self.clf = load_default()
        return self.clf

    def fit(self, texts: Sequence[str]) -> FloatArray:
        """Fit the standardisation on TRAIN texts; returns their standardised feature rows."""
        raw = classifier_log_probs(self._classifier(), texts)
        self._mean = raw.mean(axis=0) if len(raw) else np.zeros(raw.shape[1])
        # A floor on the spread: a head output nearly constant on TRAIN must not blow up on TEST.
        self._std = np.maximum(raw.std(axis=0), STD_FLOOR) if len(raw) else np.ones(raw.shape[1])
        return self._standardise(raw)

    def _standardise(self, raw: FloatArray) -> FloatArray:
        return _unit_rows((raw - self._mean[None, :]) / self._std[None, :])

    def features(self, texts: Sequence[str]) -> FloatArray:
        if self._mean.size == 0:
            raise RuntimeError("TaskFeatures.features before fit")
        return self._standardise(classifier_log_probs(self._classifier(), texts))

    def augment(self, z: FloatArray, feats: FloatArray) -> FloatArray:
        """Unit rows [sqrt(1 - w²)·z, w·feats] (z and feats are unit rows)."""
        w = min(max(self.weight, 0.0), 1.0)
        return np.hstack([np.sqrt(1.0 - w * w) * z, w * feats])
