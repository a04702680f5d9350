"""Outcome data (DESIGN.md format): one prompt per JSONL line with per-model score and cost.

    {"id": "x1", "prompt": "…", "task_type": null, "difficulty": null,
     "outcomes": {"model-a": {"score": 1.0, "cost": 0.0123}, …}}

`prompt` may be replaced by `messages` (chat format); `outcomes` may be absent (a test file);
a model may be missing for some prompts. `OutcomeMatrix` is the dense numpy view with a mask.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class OutcomeFormatError(ValueError):
    """A line of an outcome file does not follow the DESIGN.md format."""


@dataclass(frozen=True)
class Outcome:
    score: float
    cost: float | None = None


@dataclass(frozen=True)
class OutcomeRecord:
    id: str
    text: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    task_type: str | None = None
    difficulty: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prompt": self.text,
            "task_type": self.task_type,
            "difficulty": self.difficulty,
            "outcomes": {
                m: {"score": o.score, "cost": o.cost} if o.cost is not None else {"score": o.score}
                for m, o in self.outcomes.items()
            },
        }


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "\n".join(parts)
    return ""


def messages_text(messages: Sequence[Any]) -> str:
    """Flatten chat messages into one text, role-tagged, for featurising."""
    lines = []
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        text = _content_text(msg.get("content"))
        if text:
            lines.append(f"{msg.get('role', 'user')}: {text}")
    return "\n".join(lines)


def _record_text(obj: dict[str, Any], where: str) -> str:
    if isinstance(obj.get("prompt"), str):
        return str(obj["prompt"])
    if isinstance(obj.get("messages"), list):
        return messages_text(obj["messages"])
    raise OutcomeFormatError(f"{where}: needs 'prompt' (string) or 'messages' (list)")


def _outcome(val: Any, model: Any, where: str) -> Outcome | None:
    """One model's outcome; None when it is missing (explicit null) or its score is not finite."""
    if val is None or (isinstance(val, dict) and val.get("score") is None):
        return None  # an explicit null is a missing outcome
    if not isinstance(val, dict) or not isinstance(val.get("score"), int | float):
        raise OutcomeFormatError(f"{where}: outcome for {model!r} needs a numeric 'score'")
    if not math.isfinite(val["score"]):
        return None
    cost = val.get("cost")
    if isinstance(cost, int | float) and not math.isfinite(cost):
        cost = None
    return Outcome(score=float(val["score"]), cost=float(cost) if isinstance(cost, int | float) else None)


def _outcomes(raw: Any, where: str) -> dict[str, Outcome]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise OutcomeFormatError(f"{where}: 'outcomes' must be an object")
    outcomes: dict[str, Outcome] = {}
    for model, val in raw.items():
        outcome = _outcome(val, model, where)
        if outcome is not None:
            outcomes[str(model)] = outcome
    return outcomes


def _label(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_record(obj: Any, *, line_no: int = 0, read_outcomes: bool = True) -> OutcomeRecord:
    """One JSON object -> OutcomeRecord. With read_outcomes=False the outcomes are never looked at."""
    where = f"line {line_no}" if line_no else "record"
    if not isinstance(obj, dict):
        raise OutcomeFormatError(f"{where}: expected a JSON object")
    if "id" not in obj:
        raise OutcomeFormatError(f"{where}: missing 'id'")
    text = _record_text(obj, where)
    return OutcomeRecord(
        id=str(obj["id"]),
        text=text,
        outcomes=_outcomes(obj.get("outcomes") if read_outcomes else None, where),
        task_type=_label(obj.get("task_type")),
        difficulty=_label(obj.get("difficulty")),
    )


def read_jsonl(path: str | Path, *, read_outcomes: bool = True) -> list[OutcomeRecord]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise OutcomeFormatError(f"line {i}: invalid JSON ({exc.msg})") from exc
            records.append(parse_record(obj, line_no=i, read_outcomes=read_outcomes))
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        raise OutcomeFormatError(f"{path}: duplicate ids")
    return records


def write_jsonl(path: str | Path, records: Iterable[OutcomeRecord]) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
            n += 1
    return n


@dataclass(frozen=True)
class OutcomeMatrix:
    """Dense scores/costs (prompts x models); `mask` marks observed outcomes, costs may be NaN."""

    models: tuple[str, ...]
    scores: FloatArray
    costs: FloatArray
    mask: BoolArray

    @classmethod
    def from_records(
        cls, records: Sequence[OutcomeRecord], models: Sequence[str] | None = None
    ) -> OutcomeMatrix:
        if models is None:
            seen: dict[str, None] = {}
            for rec in records:
                for m in rec.outcomes:
                    seen.setdefault(m, None)
            models = sorted(seen)
        index = {m: j for j, m in enumerate(models)}
        n, k = len(records), len(models)
        scores = np.zeros((n, k))
        costs = np.full((n, k), np.nan)
        mask = np.zeros((n, k), dtype=bool)
        for i, rec in enumerate(records):
            for m, o in rec.outcomes.items():
                j = index.get(m)
                if j is None:
                    continue
                scores[i, j] = o.score
                mask[i, j] = True
                if o.cost is not None:
                    costs[i, j] = o.cost
        return cls(models=tuple(models), scores=scores, costs=costs, mask=mask)

    def subset(self, rows: npt.NDArray[np.intp]) -> OutcomeMatrix:
        return OutcomeMatrix(self.models, self.scores[rows], self.costs[rows], self.mask[rows])

    def filled_costs(self) -> FloatArray:
        """Costs with unknown entries replaced by the model's mean known cost (0 if none known)."""
        known = ~np.isnan(self.costs)
        counts = known.sum(axis=0)
        sums = np.where(known, self.costs, 0.0).sum(axis=0)
        means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
        return np.where(known, self.costs, means[None, :])
