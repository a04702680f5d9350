"""Per-model health: consecutive failures put a model in cooldown; the router skips it meanwhile."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class ModelState:
    """One model's failure count and the (monotonic) end of its cooldown."""

    failures: int = 0
    until: float = 0.0  # monotonic time the cooldown ends


class ModelHealth:
    """In-process health of each catalog model (one per gateway process)."""

    def __init__(
        self,
        cooldown_failures: int,
        cooldown_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = max(1, cooldown_failures)
        self._seconds = cooldown_seconds
        self._clock = clock
        self._models: dict[str, ModelState] = {}
        self._cooling: frozenset[str] = frozenset()
        self._next_expiry = float("inf")

    def success(self, model: str) -> None:
        state = self._models.get(model)
        if state is not None and state.failures:
            state.failures = 0

    def failure(self, model: str, *, retry_after: float | None = None, rate_limited: bool = False) -> None:
        """Count a failure; a 429 with Retry-After cools the model down at once."""
        state = self._models.setdefault(model, ModelState())
        state.failures += 1
        now = self._clock()
        if rate_limited and retry_after is not None:
            self._cool(model, state, now + max(retry_after, 0.0))
        elif state.failures >= self._threshold:
            self._cool(model, state, now + self._seconds)

    def _cool(self, model: str, state: ModelState, until: float) -> None:
        state.until = max(state.until, until)
        self._cooling = self._cooling | {model}
        self._next_expiry = min(self._next_expiry, state.until)

    def unavailable(self) -> frozenset[str]:
        """Models in cooldown now (cheap: recomputed only when a cooldown may have ended)."""
        if not self._cooling:
            return self._cooling
        now = self._clock()
        if now < self._next_expiry:
            return self._cooling
        still = {m for m in self._cooling if self._models[m].until > now}
        for m in self._cooling - still:
            self._models[m].failures = 0
        self._cooling = frozenset(still)
        self._next_expiry = min((self._models[m].until for m in still), default=float("inf"))
        return self._cooling

    def snapshot(self) -> dict[str, dict[str, float | int]]:
        now = self._clock()
        return {
            m: {"failures": s.failures, "cooldown_remaining": round(max(0.0, s.until - now), 3)}
            for m, s in self._models.items()
            if s.failures or s.until > now
        }
