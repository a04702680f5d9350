"""Completion tokens of a reasoning variant as a factor of its base model's, per provider family.

A variant "openai/gpt-5.4@xhigh" is the catalog model at a reasoning effort; reasoning tokens are
billed as output tokens, so where no source measures the variant's own completion tokens its
expected tokens are the base model's times `factor(model, effort)` (routing/policy.py). The shipped
factors, `benchroute/data/effort_tokens.json`, are derived from public runs of one model at two
efforts by `scripts/build_effort_tokens.py`, which says per effort what is measured and what is
extrapolated, and what "the base" (no `@effort`) means per family: OpenAI's default effort
(medium), Anthropic without extended thinking; every other provider takes the "*" ladder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

import orjson

DEFAULT_RESOURCE = "effort_tokens.json"
FORMAT = "benchroute-effort/1"
ANY_FAMILY = "*"


def _frozen() -> Mapping[str, Mapping[str, float]]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class EffortFactors:
    """family -> effort -> factor. Empty (the default): every variant bills like its base."""

    families: Mapping[str, Mapping[str, float]] = field(default_factory=_frozen)

    def factor(self, model: str, effort: str | None) -> float:
        """The factor for `model` (a catalog id) at `effort`: its family's, else the "*" family's,
        else 1 (an effort nobody measured: no evidence it costs more than the base)."""
        if effort is None:
            return 1.0
        for name in (family(model), ANY_FAMILY):
            table = self.families.get(name)
            if table is not None and effort in table:
                return table[effort]
        return 1.0

    @classmethod
    def from_json(cls, data: bytes | str) -> EffortFactors:
        doc: Any = orjson.loads(data)
        fmt = doc.get("format") if isinstance(doc, dict) else None
        if fmt != FORMAT:
            raise ValueError(f"not a benchroute effort table: format={fmt!r}")
        families: dict[str, Mapping[str, float]] = {}
        for name, fam in (doc.get("families") or {}).items():
            factors = {str(e): float(v) for e, v in fam["factors"].items()}
            if any(v <= 0 for v in factors.values()):
                raise ValueError(f"effort factors of {name!r} must be positive")
            families[str(name)] = MappingProxyType(factors)
        return cls(MappingProxyType(families))


def family(model: str) -> str:
    """The provider family of a catalog id: its first segment, or the second behind "openrouter/"
    ("openrouter/anthropic/claude-opus-4.5" -> "anthropic")."""
    parts = model.split("/")
    if parts[0] == "openrouter" and len(parts) > 2:
        return parts[1]
    return parts[0]


def load_default_effort() -> EffortFactors:
    """The factors shipped in the package (built by scripts/build_effort_tokens.py)."""
    return EffortFactors.from_json(
        resources.files("benchroute").joinpath("data", DEFAULT_RESOURCE).read_bytes()
    )
