"""Catalog entries: what the gateway knows about each model it can route to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from benchroute.catalog.effort import EffortFactors
from benchroute.wire.canonical import ApiKind


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One routable model. Prices are USD per million tokens; local models cost nothing."""

    id: str  # catalog id, "provider/model"
    provider: str  # name of a configured provider
    upstream_id: str  # the id the upstream expects
    name: str = ""
    context: int = 8192
    max_output: int | None = None
    input_price: float = 0.0
    output_price: float = 0.0
    cache_read_price: float | None = None
    cache_write_price: float | None = None
    tools: bool = True
    vision: bool = False
    reasoning: bool = False
    free: bool = False
    apis: frozenset[ApiKind] = field(default_factory=lambda: frozenset({"chat"}))
    local: bool = False
    price_source: str = ""  # "genai-prices <version>", "config", "local", ...

    def cost(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> float:
        """USD for one call, from catalog prices."""
        cached = min(cached_tokens, prompt_tokens)
        cache_price = self.cache_read_price if self.cache_read_price is not None else self.input_price
        return (
            (prompt_tokens - cached) * self.input_price
            + cached * cache_price
            + completion_tokens * self.output_price
        ) / 1_000_000


class Catalog:
    """An immutable set of models, looked up by catalog id (case-sensitive), the environment
    variable each built-in provider reads its API key from (`key_env`, provider -> variable), and
    how many completion tokens a reasoning variant bills against its base model (`effort`; empty:
    as many, `load_catalog` gives the shipped factors)."""

    def __init__(
        self,
        models: Iterable[ModelInfo],
        key_env: Mapping[str, str] | None = None,
        effort: EffortFactors | None = None,
    ) -> None:
        self._models: dict[str, ModelInfo] = {m.id: m for m in models}
        self.key_env: dict[str, str] = dict(key_env or {})
        self.effort: EffortFactors = effort or EffortFactors()

    def get(self, model_id: str) -> ModelInfo | None:
        return self._models.get(model_id)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._models

    def __iter__(self) -> Iterator[ModelInfo]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def ids(self) -> list[str]:
        return list(self._models)

    def free_models(self) -> list[ModelInfo]:
        return [m for m in self._models.values() if m.free]
