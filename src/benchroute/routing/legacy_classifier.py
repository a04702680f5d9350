"""A classifier artifact trained on the legacy task types (edit, …, math), served as a `Classifier`.

Until the classifier is retrained on the current routes, the shipped artifact's task head has the
eleven legacy labels. This adapter loads it and emits legacy cell names ("edit:easy"); the policy
folds them into the current routes (`policy.route_probs`: edit -> implement, math -> general).
`factory.load_classifier` uses it only when the artifact does not load as a current one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchroute.routing.classifier import CellPrediction
from benchroute.routing.features import STRUCT_FEATURES, RequestFeatures, TextVectorizer, extract
from benchroute.routing.taxonomy import DIFFICULTIES, cell
from benchroute.routing.textclf import FloatArray, LinearHead
from benchroute.wire.canonical import ChatRequest

LEGACY_TYPES: tuple[str, ...] = (
    "edit",
    "implement",
    "debug",
    "refactor",
    "explain",
    "plan",
    "review",
    "tests",
    "docs",
    "general",
    "math",
)


@dataclass(frozen=True, slots=True)
class LegacyClassifier:
    vectorizer: TextVectorizer
    task_head: LinearHead
    difficulty_head: LinearHead

    def predict_features(self, features: RequestFeatures) -> tuple[FloatArray, FloatArray]:
        """(P(task type), P(difficulty)) for extracted features, as `TextClassifier`'s."""
        idx, vals = self.vectorizer.encode(features.text)
        return (
            self.task_head.proba(idx, vals, features.struct),
            self.difficulty_head.proba(idx, vals, features.struct),
        )

    def classify(self, request: ChatRequest) -> CellPrediction:
        p_type, p_diff = self.predict_features(extract(request))
        joint = np.outer(p_type, p_diff).ravel()
        joint = joint / joint.sum()
        names = [cell(t, d) for t in self.task_head.labels for d in DIFFICULTIES]
        return CellPrediction(dict(zip(names, map(float, joint), strict=True)), float(p_type.max()))

    @classmethod
    def load(cls, path: str | Path) -> LegacyClassifier:
        src = Path(path)
        meta = json.loads((src / "meta.json").read_text())
        if tuple(meta.get("struct_features", ())) != STRUCT_FEATURES:
            raise ValueError(f"{src}: artifact was trained with different structured features")
        vocab = json.loads((src / "vocab.json").read_text())
        with np.load(src / "model.npz") as npz:
            arrays: dict[str, Any] = {k: npz[k] for k in npz.files}
        if arrays["task_w"].shape[1] != len(LEGACY_TYPES):
            raise ValueError(f"{src}: not a legacy artifact")

        def head(name: str, labels: tuple[str, ...]) -> LinearHead:
            return LinearHead(
                labels=labels,
                w=arrays[f"{name}_w"].astype(np.float32),
                s=arrays[f"{name}_s"].astype(np.float32),
                b=arrays[f"{name}_b"].astype(np.float32),
                temperature=float(arrays[f"{name}_t"][0]),
            )

        vectorizer = TextVectorizer.from_dict(vocab, arrays["idf"])
        return cls(vectorizer, head("task", LEGACY_TYPES), head("difficulty", DIFFICULTIES))
