"""The evidence the router reads (the leaderboard snapshot): per model and cell, the raw evidence
and the fitted estimate A(m, cell) with its interval, single-turn and as an agent.

On disk it is JSON (see `Snapshot.to_json`); the shipped default is `benchroute/data/leaderboard.json`,
rebuilt by `scripts/build_leaderboard.py` with the measurement model of `leaderboard/fit.py`. The
bench writes results to the store and publishes new snapshots in the same format (raw cells, no
fitted estimate: the policy then uses the Wilson interval of the raw rate); the router swaps
snapshots without a restart. A model id may carry a variant, "openai/gpt-5.4@xhigh": the catalog
model at the reasoning effort the evidence was measured at.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

DEFAULT_RESOURCE = "leaderboard.json"


@dataclass(frozen=True, slots=True)
class CellStats:
    """Evidence for one model on one (task type, difficulty) cell."""

    model: str  # catalog id
    cell: str  # "task_type:difficulty"
    trials: float  # n (may be fractional when imported from aggregate rates)
    successes: float  # k
    mean_cost: float | None = None  # USD per task
    mean_prompt_tokens: float | None = None
    mean_completion_tokens: float | None = None
    latency_ms: float | None = None
    sources: tuple[str, ...] = ()  # where the evidence comes from, e.g. "aider:polyglot 2025-02-25"
    last_run: str | None = None  # ISO date of the newest evidence
    # The fitted estimate (leaderboard/fit.py); None for raw bench cells.
    estimate: float | None = None  # A single-turn
    low: float | None = None
    high: float | None = None
    agent_estimate: float | None = None  # A in an agent harness (tools, several turns)
    agent_low: float | None = None
    agent_high: float | None = None
    evidence_tasks: float = 0.0  # every coding task behind the model's fit (all routes)

    @property
    def accuracy(self) -> float:
        return self.successes / self.trials if self.trials > 0 else 0.0

    def interval(self, agent: bool) -> tuple[float, float, float]:
        """(A, low, high) for a request in the setting: the fitted numbers when there are any,
        else the raw rate with its Wilson interval."""
        est, lo, hi = (
            (self.agent_estimate, self.agent_low, self.agent_high)
            if agent
            else (self.estimate, self.low, self.high)
        )
        if est is not None and lo is not None and hi is not None:
            return est, lo, hi
        low, high = self.wilson(1.645)
        return self.accuracy, low, high

    def wilson(self, z: float = 1.96) -> tuple[float, float]:
        """Wilson score interval for the raw accuracy."""
        n = self.trials
        if n <= 0:
            return (0.0, 1.0)
        p = self.successes / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable leaderboard: cells[(model, cell)] -> CellStats."""

    cells: dict[tuple[str, str], CellStats] = field(default_factory=dict)
    created: str = ""
    description: str = ""
    # What the estimates were fitted from (leaderboard/build.py): {"priors": {...}, "observations":
    # [...]}, so new results can be fitted on the same scale; None for raw snapshots.
    fit: dict[str, Any] | None = field(default=None, compare=False)
    # Per model, the measured share of malformed tool calls on agent tasks (bench/agent/evidence.py).
    malformed: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_stats(
        cls,
        stats: Iterable[CellStats],
        created: str = "",
        description: str = "",
        *,
        fit: dict[str, Any] | None = None,
        malformed: dict[str, float] | None = None,
    ) -> Snapshot:
        return cls({(s.model, s.cell): s for s in stats}, created, description, fit, dict(malformed or {}))

    def get(self, model: str, cell: str) -> CellStats | None:
        return self.cells.get((model, cell))

    def models(self) -> list[str]:
        return sorted({m for m, _ in self.cells})

    def cell_ids(self) -> list[str]:
        return sorted({c for _, c in self.cells})

    def for_model(self, model: str) -> list[CellStats]:
        return [s for (m, _), s in self.cells.items() if m == model]

    def __iter__(self) -> Iterator[CellStats]:
        return iter(self.cells.values())

    def to_json(self) -> bytes:
        doc: dict[str, Any] = {
            "format": "benchroute-leaderboard/1",
            "created": self.created,
            "description": self.description,
            "cells": [asdict(s) for s in sorted(self.cells.values(), key=lambda s: (s.model, s.cell))],
        }
        if self.malformed:
            doc["malformed_tool_calls"] = dict(sorted(self.malformed.items()))
        if self.fit is not None:
            doc["fit"] = self.fit
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2)

    @classmethod
    def from_json(cls, data: bytes | str) -> Snapshot:
        doc = orjson.loads(data)
        if doc.get("format") != "benchroute-leaderboard/1":
            raise ValueError(f"not a benchroute leaderboard: format={doc.get('format')!r}")
        stats = []
        for row in doc["cells"]:
            row = dict(row)
            row["sources"] = tuple(row.get("sources") or ())
            stats.append(CellStats(**row))
        return cls.from_stats(
            stats,
            doc.get("created", ""),
            doc.get("description", ""),
            fit=doc.get("fit"),
            malformed={str(m): float(v) for m, v in (doc.get("malformed_tool_calls") or {}).items()},
        )

    @classmethod
    def load(cls, path: str | Path) -> Snapshot:
        return cls.from_json(Path(path).read_bytes())


def split_variant(model: str) -> tuple[str, str | None]:
    """("openai/gpt-5.4", "xhigh") for "openai/gpt-5.4@xhigh"; (model, None) without a variant."""
    base, sep, effort = model.partition("@")
    return base, (effort if sep else None)


def load_snapshot(path: str | Path) -> Snapshot:
    """A snapshot from a `benchroute-leaderboard/1` JSON file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"leaderboard snapshot not found: {path}")
    return Snapshot.load(path)


def load_default_snapshot() -> Snapshot:
    """The leaderboard shipped in the package (built by scripts/build_leaderboard.py)."""
    data = resources.files("benchroute").joinpath("data", DEFAULT_RESOURCE).read_bytes()
    return Snapshot.from_json(data)
