"""Limits and budgets: the `Limiter` protocol, its policy, windows and errors.

A request is admitted (`admit`) before the upstream call, against what each subject (a project, a
gateway key) used so far in the current windows: requests this minute (counted at admission),
tokens this minute, spend today and this month (UTC; counted by `record` after the response, from
the usage cost). A hard limit reached -> `LimitExceeded` (the gateway answers 429 with
Retry-After, naming the limit). Spend past `warn_share` of a budget -> a warning on the admission
(the gateway sends it as `x-benchroute-budget-warning` and logs it).

Windows are fixed (a minute, a UTC day, a UTC month): cheap to share across replicas with one
counter each (`limits/redis.py`), the same counters in `limits/memory.py` for one process.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from benchroute.settings import ProjectSettings

LimitName = Literal["requests_per_minute", "tokens_per_minute", "daily_budget_usd", "monthly_budget_usd"]
LIMIT_NAMES: tuple[LimitName, ...] = (
    "requests_per_minute",
    "tokens_per_minute",
    "daily_budget_usd",
    "monthly_budget_usd",
)
MICRO = 1_000_000  # spend is counted in micro-dollars: integer counters, no float drift


@dataclass(frozen=True, slots=True)
class LimitPolicy:
    """The limits of one subject; None means no limit."""

    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    daily_budget_usd: float | None = None
    monthly_budget_usd: float | None = None
    warn_share: float = 0.8

    @classmethod
    def of(cls, project: ProjectSettings) -> LimitPolicy:
        return cls(
            requests_per_minute=project.requests_per_minute,
            tokens_per_minute=project.tokens_per_minute,
            daily_budget_usd=project.daily_budget_usd,
            monthly_budget_usd=project.monthly_budget_usd,
            warn_share=project.budget_warn_share,
        )

    @property
    def empty(self) -> bool:
        return (
            self.requests_per_minute is None
            and self.tokens_per_minute is None
            and self.daily_budget_usd is None
            and self.monthly_budget_usd is None
        )


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a limit applies to: kind "project" or "key", and its name or key id."""

    kind: Literal["project", "key"]
    name: str
    policy: LimitPolicy

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name!r}"


@dataclass(frozen=True, slots=True)
class Windows:
    """The fixed windows a moment falls in, with when each ends (epoch seconds)."""

    minute: str
    day: str
    month: str
    minute_ends: float
    day_ends: float
    month_ends: float

    @classmethod
    def at(cls, now: float) -> Windows:
        t = datetime.fromtimestamp(now, UTC)
        minute = int(now // 60)
        day_start = datetime(t.year, t.month, t.day, tzinfo=UTC).timestamp()
        days = calendar.monthrange(t.year, t.month)[1]
        month_start = datetime(t.year, t.month, 1, tzinfo=UTC).timestamp()
        return cls(
            minute=str(minute),
            day=t.strftime("%Y%m%d"),
            month=t.strftime("%Y%m"),
            minute_ends=(minute + 1) * 60.0,
            day_ends=day_start + 86400.0,
            month_ends=month_start + days * 86400.0,
        )


class WindowClock:
    """`Windows.at(now)`, computed once per minute (the day and month cannot change within one)."""

    __slots__ = ("_minute", "_windows")

    def __init__(self) -> None:
        self._minute = -1
        self._windows: Windows | None = None

    def at(self, now: float) -> Windows:
        minute = int(now // 60)
        if minute != self._minute or self._windows is None:
            self._windows, self._minute = Windows.at(now), minute
        return self._windows


@dataclass(frozen=True, slots=True)
class Usage:
    """What a subject used so far in the current windows (spend in micro-dollars)."""

    requests: int = 0
    tokens: int = 0
    day_micro: int = 0
    month_micro: int = 0


class LimitExceeded(Exception):
    """A hard limit is reached; `message` says which, for whom, and when it resets."""

    def __init__(self, subject: Subject, limit: LimitName, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.subject = subject
        self.limit = limit
        self.message = message
        self.retry_after = max(1, int(retry_after + 0.999))  # whole seconds, at least 1

    @property
    def code(self) -> str:
        return "budget_exceeded" if self.limit.endswith("budget_usd") else "rate_limit_exceeded"


@dataclass(frozen=True, slots=True)
class Admission:
    """An admitted request: budget warnings to pass on to the client (may be empty)."""

    warnings: tuple[str, ...] = field(default_factory=tuple)


def check(subject: Subject, used: Usage, windows: Windows, now: float) -> LimitExceeded | None:
    """The first hard limit `used` already reaches for `subject`, if any (requests: this one would
    be the one past the limit)."""
    p = subject.policy
    if p.requests_per_minute is not None and used.requests >= p.requests_per_minute:
        return LimitExceeded(
            subject,
            "requests_per_minute",
            f"rate limit reached for {subject.label}: requests_per_minute = {p.requests_per_minute} "
            f"(resets in {int(windows.minute_ends - now) + 1} s)",
            windows.minute_ends - now,
        )
    if p.tokens_per_minute is not None and used.tokens >= p.tokens_per_minute:
        return LimitExceeded(
            subject,
            "tokens_per_minute",
            f"rate limit reached for {subject.label}: tokens_per_minute = {p.tokens_per_minute} "
            f"({used.tokens} tokens used this minute; resets in {int(windows.minute_ends - now) + 1} s)",
            windows.minute_ends - now,
        )
    budgets: tuple[tuple[LimitName, float | None, int, float, str], ...] = (
        ("daily_budget_usd", p.daily_budget_usd, used.day_micro, windows.day_ends, "today (UTC)"),
        (
            "monthly_budget_usd",
            p.monthly_budget_usd,
            used.month_micro,
            windows.month_ends,
            "this month (UTC)",
        ),
    )
    for limit, budget, spent, ends, period in budgets:
        if budget is not None and spent >= round(budget * MICRO):
            return LimitExceeded(
                subject,
                limit,
                f"budget exhausted for {subject.label}: {limit} = {budget:.2f} USD, "
                f"{spent / MICRO:.4f} USD spent {period}; requests resume when the period ends",
                ends - now,
            )
    return None


def warnings(subject: Subject, used: Usage) -> list[str]:
    """Soft warnings: spend at or past `warn_share` of a budget (and under the hard cap)."""
    p = subject.policy
    out: list[str] = []
    for name, budget, spent in (
        ("daily", p.daily_budget_usd, used.day_micro),
        ("monthly", p.monthly_budget_usd, used.month_micro),
    ):
        if budget and spent >= p.warn_share * budget * MICRO:
            out.append(
                f"{subject.kind}={subject.name}; {name} budget {spent / budget / MICRO:.0%} used "
                f"({spent / MICRO:.4f} of {budget:.2f} USD)"
            )
    return out


def subjects(project: str, settings: ProjectSettings, key_id: str | None) -> list[Subject]:
    """The subjects one request counts against: its project, and its key when the project sets
    per-key limits (its `key_*` settings)."""
    out = [Subject("project", project, LimitPolicy.of(settings))]
    key_policy = LimitPolicy(
        requests_per_minute=settings.key_requests_per_minute,
        tokens_per_minute=settings.key_tokens_per_minute,
        daily_budget_usd=settings.key_daily_budget_usd,
        monthly_budget_usd=settings.key_monthly_budget_usd,
        warn_share=settings.budget_warn_share,
    )
    if key_id and not key_policy.empty:
        out.append(Subject("key", key_id, key_policy))
    return out


def to_micro(cost_usd: float) -> int:
    return max(0, round(cost_usd * MICRO))


class Limiter(Protocol):
    """Counts and enforces limits for subjects; shared by every replica that uses the same backend."""

    async def admit(self, subjects: Sequence[Subject], now: float | None = None) -> Admission:
        """Admit one request for every subject (counting it against requests_per_minute), or raise
        `LimitExceeded` for the first limit reached (then nothing is counted)."""
        ...

    async def record(
        self, subjects: Sequence[Subject], tokens: int, cost_usd: float, now: float | None = None
    ) -> None:
        """Count a finished request's tokens and spend."""
        ...

    async def usage(self, subject: Subject, now: float | None = None) -> Usage: ...

    async def aclose(self) -> None: ...
