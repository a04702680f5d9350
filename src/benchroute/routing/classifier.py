"""The classifier interface: a request in, a probability distribution over cells out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from benchroute.wire.canonical import ChatRequest


@dataclass(frozen=True, slots=True)
class CellPrediction:
    """P(cell | request) over "task_type:difficulty" cells (sums to 1), and a confidence in [0, 1].

    Optional metadata (consumers need only `probs` and `confidence`): `low_confidence` is the
    classifier's own documented rule (confidence under its calibrated threshold, see
    docs/classifier.md); `signals` names what the request carried (mode, paste, tool results).
    """

    probs: dict[str, float]
    confidence: float
    low_confidence: bool = False
    signals: tuple[str, ...] = ()

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        return sorted(self.probs.items(), key=lambda kv: -kv[1])[:k]


class Classifier(Protocol):
    def classify(self, request: ChatRequest) -> CellPrediction: ...
