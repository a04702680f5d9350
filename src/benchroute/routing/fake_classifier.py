"""A scripted `Classifier` for tests and examples: fixed predictions, or one per prompt."""

from __future__ import annotations

from collections.abc import Mapping

from benchroute.routing.classifier import CellPrediction
from benchroute.wire.canonical import ChatRequest


class FakeClassifier:
    """Returns `default`, or the prediction scripted for the last user message's text."""

    def __init__(
        self,
        default: CellPrediction | None = None,
        by_prompt: Mapping[str, CellPrediction] | None = None,
    ) -> None:
        self.default = default or CellPrediction({"implement:medium": 1.0}, 1.0)
        self.by_prompt = dict(by_prompt or {})
        self.calls = 0

    @classmethod
    def fixed(cls, probs: Mapping[str, float], confidence: float = 1.0) -> FakeClassifier:
        return cls(CellPrediction(dict(probs), confidence))

    def classify(self, request: ChatRequest) -> CellPrediction:
        self.calls += 1
        users = [m for m in request.messages if m.role == "user"]
        text = users[-1].text if users else ""
        return self.by_prompt.get(text, self.default)
