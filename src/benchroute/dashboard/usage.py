"""The usage page's numbers, computed from the store's usage summaries (pure functions).

Filtering by tier and client happens here: the store groups by them, and the rows that do not
match are left out before anything is added up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from benchroute.store.base import UsageSummaryRow

RANGES: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "all": None,
}
DEFAULT_RANGE = "30d"
TOP_SESSIONS = 10
NO_CLIENT = "(unknown)"


def since_for(range_name: str, now: datetime | None = None) -> datetime | None:
    delta = RANGES.get(range_name, RANGES[DEFAULT_RANGE])
    return None if delta is None else (now or datetime.now(UTC)) - delta


@dataclass(frozen=True, slots=True)
class Filters:
    range: str = DEFAULT_RANGE
    tier: str = ""
    client: str = ""

    def keep(self, row: UsageSummaryRow) -> bool:
        if self.tier and row.group.get("tier") != self.tier:
            return False
        return not self.client or (row.group.get("client") or NO_CLIENT) == self.client


@dataclass(slots=True)
class Totals:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    frontier_cost_usd: float = 0.0
    priced_cost_usd: float = 0.0  # cost of the requests that have a frontier cost
    errors: int = 0

    def add(self, row: UsageSummaryRow) -> None:
        self.requests += row.requests
        self.prompt_tokens += row.prompt_tokens
        self.completion_tokens += row.completion_tokens
        self.cost_usd += row.cost_usd
        self.frontier_cost_usd += row.frontier_cost_usd
        self.priced_cost_usd += float(row.extra.get("priced_cost_usd", 0.0))
        self.errors += int(row.extra.get("errors", 0))

    @property
    def savings_usd(self) -> float:
        """What an always-Frontier choice would have cost, minus what the same requests cost."""
        return self.frontier_cost_usd - self.priced_cost_usd

    @property
    def savings_share(self) -> float | None:
        return self.savings_usd / self.frontier_cost_usd if self.frontier_cost_usd > 0 else None


@dataclass(slots=True)
class UsageView:
    days: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)  # by cost, then requests, descending
    requests: dict[str, list[int]] = field(default_factory=dict)  # model -> per day
    cost: dict[str, list[float]] = field(default_factory=dict)  # model -> per day
    by_model: dict[str, Totals] = field(default_factory=dict)
    total: Totals = field(default_factory=Totals)
    sessions: list[tuple[str, Totals]] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)  # choices for the filters
    clients: list[str] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """What the page's charts draw (embedded as JSON; the browser tests read it back)."""
        return {
            "days": self.days,
            "models": self.models,
            "requests": [{"model": m, "data": self.requests[m]} for m in self.models],
            "cost": [{"model": m, "data": [round(v, 6) for v in self.cost[m]]} for m in self.models],
        }


def build_view(
    by_day: Sequence[UsageSummaryRow], by_session: Sequence[UsageSummaryRow], filters: Filters
) -> UsageView:
    """`by_day` grouped by (day, model, tier, client); `by_session` by (session, tier, client)."""
    view = UsageView(
        tiers=_choices(r.group.get("tier") for r in by_day),
        clients=_choices(r.group.get("client") or NO_CLIENT for r in by_day),
    )
    kept = [r for r in by_day if filters.keep(r)]
    view.days = sorted({str(r.group["day"]) for r in kept})
    index = {d: i for i, d in enumerate(view.days)}
    requests: dict[str, list[int]] = {}
    cost: dict[str, list[float]] = {}
    for r in kept:
        model = str(r.group["model"])
        i = index[str(r.group["day"])]
        requests.setdefault(model, [0] * len(view.days))[i] += r.requests
        cost.setdefault(model, [0.0] * len(view.days))[i] += r.cost_usd
        view.by_model.setdefault(model, Totals()).add(r)
        view.total.add(r)
    view.models = sorted(
        view.by_model, key=lambda m: (-view.by_model[m].cost_usd, -view.by_model[m].requests, m)
    )
    view.requests = requests
    view.cost = cost
    sessions: dict[str, Totals] = {}
    for r in by_session:
        if filters.keep(r) and r.group.get("session"):
            sessions.setdefault(str(r.group["session"]), Totals()).add(r)
    ranked = sorted(sessions.items(), key=lambda kv: (-kv[1].cost_usd, -kv[1].requests, kv[0]))
    view.sessions = ranked[:TOP_SESSIONS]
    return view


def _choices(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values if v})
