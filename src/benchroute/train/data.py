"""The labelled request set as training data: records -> features and label arrays, per split."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchroute.routing.features import RequestFeatures, extract
from benchroute.routing.taxonomy import DIFFICULTIES, TASK_TYPES
from benchroute.train.reqset.records import read_jsonl, to_request
from benchroute.wire.canonical import ChatRequest

DEFAULT_REQUESTS = Path("data/requests/requests.jsonl")
SPLITS = ("train", "dev", "test")

Extractor = Callable[[ChatRequest], RequestFeatures]


@dataclass(slots=True)
class Split:
    records: list[dict[str, Any]]
    features: list[RequestFeatures]

    @property
    def task(self) -> npt.NDArray[np.int64]:
        return np.asarray([TASK_TYPES.index(r["task_type"]) for r in self.records], dtype=np.int64)

    @property
    def difficulty(self) -> npt.NDArray[np.int64]:
        return np.asarray([DIFFICULTIES.index(r["difficulty"]) for r in self.records], dtype=np.int64)

    def weights(self, written: float) -> npt.NDArray[np.float64]:
        """Each record's weight: `written` for a hand-written whole request, 1 for a template's
        instance, scaled to a mean of 1 (so a head's C keeps its meaning)."""
        w = np.asarray([written if r.get("source") == "written" else 1.0 for r in self.records])
        return w / w.mean() if len(w) else w

    def column(self, key: str) -> list[str]:
        return [str(r.get(key) or "none") for r in self.records]


def split(records: Sequence[dict[str, Any]], name: str, extractor: Extractor = extract) -> Split:
    chosen = [r for r in records if r["split"] == name]
    return Split(chosen, [extractor(to_request(r["request"])) for r in chosen])


def load(path: Path, extractor: Extractor = extract) -> dict[str, Split]:
    records = read_jsonl(path)
    return {name: split(records, name, extractor) for name in SPLITS}
