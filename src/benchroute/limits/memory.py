"""The in-process limiter: the same fixed-window counters as the Redis one, for a single process.

Each subject keeps only its current windows (a window that ended is replaced on the next use), so
memory stays bounded by the number of subjects. `admit` does not await: it is atomic on the loop.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchroute.limits.base import (
    Admission,
    Subject,
    Usage,
    WindowClock,
    Windows,
    check,
    to_micro,
    warnings,
)


@dataclass(slots=True)
class _Counters:
    minute: str = ""
    requests: int = 0
    tokens: int = 0
    day: str = ""
    day_micro: int = 0
    month: str = ""
    month_micro: int = 0

    def roll(self, w: Windows) -> None:
        if self.minute != w.minute:
            self.minute, self.requests, self.tokens = w.minute, 0, 0
        if self.day != w.day:
            self.day, self.day_micro = w.day, 0
        if self.month != w.month:
            self.month, self.month_micro = w.month, 0

    def usage(self) -> Usage:
        return Usage(self.requests, self.tokens, self.day_micro, self.month_micro)


class MemoryLimiter:
    def __init__(self) -> None:
        self._counters: dict[tuple[str, str], _Counters] = {}
        self._windows = WindowClock()

    def _get(self, subject: Subject, w: Windows) -> _Counters:
        c = self._counters.get((subject.kind, subject.name))
        if c is None:
            c = self._counters[(subject.kind, subject.name)] = _Counters()
        c.roll(w)
        return c

    async def admit(self, subjects: Sequence[Subject], now: float | None = None) -> Admission:
        return self.admit_now(subjects, time.time() if now is None else now)

    def admit_now(self, subjects: Sequence[Subject], now: float) -> Admission:
        """`admit` without the coroutine (the Redis limiter falls back to this while Redis is down)."""
        w = self._windows.at(now)
        active = [(s, self._get(s, w)) for s in subjects if not s.policy.empty]
        for s, c in active:
            exceeded = check(s, c.usage(), w, now)
            if exceeded is not None:
                raise exceeded
        notes: list[str] = []
        for s, c in active:
            c.requests += 1
            notes.extend(warnings(s, c.usage()))
        return Admission(tuple(notes))

    async def record(
        self, subjects: Sequence[Subject], tokens: int, cost_usd: float, now: float | None = None
    ) -> None:
        self.record_now(subjects, tokens, cost_usd, time.time() if now is None else now)

    def record_now(self, subjects: Sequence[Subject], tokens: int, cost_usd: float, now: float) -> None:
        w = self._windows.at(now)
        micro = to_micro(cost_usd)
        for s in subjects:
            if s.policy.empty:
                continue
            c = self._get(s, w)
            c.tokens += max(0, tokens)
            c.day_micro += micro
            c.month_micro += micro

    async def usage(self, subject: Subject, now: float | None = None) -> Usage:
        return self._get(subject, self._windows.at(time.time() if now is None else now)).usage()

    async def aclose(self) -> None:
        self._counters.clear()
