"""The shipped task classifier: TF-IDF text features + structured context -> two linear heads.

P(cell | request) = P(task type | request) * P(difficulty | request). Each head is a multinomial
logistic regression over [TF-IDF of the bounded user text, structured features], divided by a
temperature fitted on a calibration split (so the probabilities are calibrated, see
docs/classifier.md). Confidence is the calibrated probability of the top task type.

Run time needs numpy only. The artifact is a directory: `model.npz` (weights, idf), `vocab.json`
(vectoriser terms and settings) and `meta.json` (labels, metrics, provenance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchroute.routing.classifier import CellPrediction
from benchroute.routing.features import (
    STRUCT_FEATURES,
    FeatureMemo,
    RequestFeatures,
    TextVectorizer,
    extract,
)
from benchroute.routing.memo import TextMemo
from benchroute.routing.taxonomy import ALL_CELLS, DIFFICULTIES, TASK_TYPES, cell
from benchroute.wire.canonical import ChatRequest

FloatArray = npt.NDArray[np.float32]
Row = tuple[npt.NDArray[np.int64], FloatArray]

_MODEL = "model.npz"
_VOCAB = "vocab.json"
_META = "meta.json"


@dataclass(slots=True)
class LinearHead:
    """softmax((x_text @ w + x_struct @ s + b) / temperature) over `labels`."""

    labels: tuple[str, ...]
    w: FloatArray  # vocabulary x labels
    s: FloatArray  # structured features x labels
    b: FloatArray  # labels
    temperature: float = 1.0

    def logits(self, idx: npt.NDArray[np.int64], vals: FloatArray, struct: FloatArray) -> FloatArray:
        z: FloatArray = vals @ self.w[idx] + struct @ self.s + self.b
        return z

    def proba(self, idx: npt.NDArray[np.int64], vals: FloatArray, struct: FloatArray) -> FloatArray:
        """`softmax_row(self.logits(...) / self.temperature)`, each step in place on the one new
        array (the same operations in the same order, so the same bits, without temporaries)."""
        z: FloatArray = vals @ self.w[idx]
        z += struct @ self.s
        z += self.b
        z /= self.temperature
        z -= z.max()
        np.exp(z, out=z)
        z /= z.sum()
        return z


def softmax(z: FloatArray) -> FloatArray:
    z = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    out: FloatArray = (e / np.sum(e, axis=-1, keepdims=True)).astype(np.float32)
    return out


def softmax_row(z: FloatArray) -> FloatArray:
    """`softmax` of one row (1-D), with whole-array reductions instead of keepdims ones: the same
    max and the same pairwise sum over the row, so the same bits, in fewer numpy calls."""
    e = np.exp(z - z.max())
    out: FloatArray = (e / e.sum()).astype(np.float32, copy=False)
    return out


class ClassifierMemo:
    """What a classifier remembers between requests (an agent resends the same turns on every
    call of its tool loop): the feature work per user turn, the TF-IDF row per vectoriser text and
    the prediction per (text, structured features). Each a bounded `TextMemo`; exact, so a
    remembered result is the one the work would give again."""

    __slots__ = ("features", "predictions", "rows")

    def __init__(self, max_entries: int = 256, max_chars: int = 4_000_000) -> None:
        self.features = FeatureMemo(max_entries, max_chars)
        self.rows: TextMemo[Row] = TextMemo(max_entries, max_chars)
        self.predictions: TextMemo[tuple[dict[str, float], float]] = TextMemo(max_entries, max_chars)


@dataclass(slots=True)
class TextClassifier:
    """Implements `routing.classifier.Classifier`. `memo` (None: none) remembers the work on
    turns and texts seen before; `classify` gives the same prediction with or without it."""

    vectorizer: TextVectorizer
    task_head: LinearHead
    difficulty_head: LinearHead
    meta: dict[str, Any] = field(default_factory=dict)
    low_confidence: float = 0.0  # confidence under this: the low-confidence rule fires
    memo: ClassifierMemo | None = field(default_factory=ClassifierMemo, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.task_head.labels != TASK_TYPES:
            raise ValueError("task head labels must be taxonomy.TASK_TYPES in order")
        if self.difficulty_head.labels != DIFFICULTIES:
            raise ValueError("difficulty head labels must be taxonomy.DIFFICULTIES in order")
        for head in (self.task_head, self.difficulty_head):
            if head.w.shape != (self.vectorizer.size, len(head.labels)):
                raise ValueError("head weights do not match the vocabulary")
            if head.s.shape != (len(STRUCT_FEATURES), len(head.labels)):
                raise ValueError("head weights do not match the structured features")

    # ---- inference ---------------------------------------------------------------------------

    def predict_features(self, features: RequestFeatures) -> tuple[FloatArray, FloatArray]:
        """Calibrated (P(task type), P(difficulty)) for extracted features."""
        return self._predict_row(self.vectorizer.encode(features.text), features)

    def _predict_row(self, row: Row, features: RequestFeatures) -> tuple[FloatArray, FloatArray]:
        idx, vals = row
        return (
            self.task_head.proba(idx, vals, features.struct),
            self.difficulty_head.proba(idx, vals, features.struct),
        )

    def _cells(self, features: RequestFeatures) -> tuple[dict[str, float], float]:
        """(P(cell), confidence) for extracted features."""
        memo = self.memo
        if memo is None:
            p_type, p_diff = self.predict_features(features)
        else:
            row = memo.rows.get(features.text, self.vectorizer.encode)
            p_type, p_diff = self._predict_row(row, features)
        # np.outer's products and the division in place: the same bits in fewer numpy calls.
        joint = np.multiply.outer(p_type, p_diff).ravel()
        joint /= joint.sum()
        return dict(zip(ALL_CELLS, joint.tolist(), strict=True)), max(p_type.tolist())

    def classify(self, request: ChatRequest) -> CellPrediction:
        memo = self.memo
        features = extract(request, None if memo is None else memo.features)
        if memo is None:
            probs, confidence = self._cells(features)
        else:
            # The heads read the text and the structured features: the key holds both exactly.
            key = f"{features.text}\0{features.struct.tobytes().decode('latin-1')}"
            probs, confidence = memo.predictions.get(key, lambda _: self._cells(features))
            probs = dict(probs)  # the remembered dict stays the memo's
        return CellPrediction(
            probs=probs,
            confidence=confidence,
            low_confidence=confidence < self.low_confidence,
            signals=features.markers,
        )

    def explain(self, request: ChatRequest) -> dict[str, Any]:
        """The per-head distributions, for `benchroute route` and the decision log."""
        features = extract(request)
        p_type, p_diff = self.predict_features(features)
        return {
            "task_type": dict(zip(TASK_TYPES, map(float, p_type), strict=True)),
            "difficulty": dict(zip(DIFFICULTIES, map(float, p_diff), strict=True)),
            "signals": {k: v for k, v in features.named().items() if v},
            "instruction": features.instruction[:200],
        }

    def top_cell(self, request: ChatRequest) -> str:
        p_type, p_diff = self.predict_features(extract(request))
        return cell(TASK_TYPES[int(p_type.argmax())], DIFFICULTIES[int(p_diff.argmax())])

    # ---- persistence -------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {"idf": self.vectorizer.idf}
        for name, head in (("task", self.task_head), ("difficulty", self.difficulty_head)):
            arrays[f"{name}_w"] = head.w.astype(np.float16)
            arrays[f"{name}_s"] = head.s.astype(np.float32)
            arrays[f"{name}_b"] = head.b.astype(np.float32)
            arrays[f"{name}_t"] = np.asarray([head.temperature], dtype=np.float32)
        with (out / _MODEL).open("wb") as fh:
            np.savez_compressed(fh, **arrays)
        (out / _VOCAB).write_text(json.dumps(self.vectorizer.to_dict(), ensure_ascii=False))
        meta = {**self.meta, "struct_features": list(STRUCT_FEATURES), "low_confidence": self.low_confidence}
        (out / _META).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> TextClassifier:
        src = Path(path)
        meta = json.loads((src / _META).read_text())
        if tuple(meta.get("struct_features", ())) != STRUCT_FEATURES:
            raise ValueError(f"{src}: artifact was trained with different structured features")
        vocab = json.loads((src / _VOCAB).read_text())
        with np.load(src / _MODEL) as npz:
            arrays = {k: npz[k] for k in npz.files}
        vectorizer = TextVectorizer.from_dict(vocab, arrays["idf"])

        def head(name: str, labels: tuple[str, ...]) -> LinearHead:
            return LinearHead(
                labels=labels,
                w=arrays[f"{name}_w"].astype(np.float32),
                s=arrays[f"{name}_s"].astype(np.float32),
                b=arrays[f"{name}_b"].astype(np.float32),
                temperature=float(arrays[f"{name}_t"][0]),
            )

        return cls(
            vectorizer=vectorizer,
            task_head=head("task", TASK_TYPES),
            difficulty_head=head("difficulty", DIFFICULTIES),
            meta=meta,
            low_confidence=float(meta.get("low_confidence", 0.0)),
        )


def default_path() -> Path:
    """Where the shipped artifact lives inside the installed package."""
    return Path(str(resources.files("benchroute") / "data" / "classifier"))


def load_default() -> TextClassifier:
    """The shipped classifier. Loads from disk on every call: the caller keeps the instance."""
    return TextClassifier.load(default_path())
