"""The usage page's numbers, computed from the store's usage summaries (pure functions).

Filtering by tier, client and mode happens here: the store groups by them, and the rows that do
not match are left out before anything is added up. Savings come from `benchroute.savings` (the
same computation as `benchroute usage` and `GET /v1/usage`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from benchroute.savings import FrontierPricer, Tally
from benchroute.store.base import UsageRecord, UsageSummaryRow

RANGES: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "all": None,
}
DEFAULT_RANGE = "30d"
TOP_SESSIONS = 10
TOP_MODELS = 6  # the charts draw these and one "other" series
OTHER = "other"
NO_CLIENT = "(unknown)"
NO_MODE = "(none)"
NOT_ROUTED = "(not routed)"  # rejected before a model was chosen


def since_for(range_name: str, now: datetime | None = None) -> datetime | None:
    delta = RANGES.get(range_name, RANGES[DEFAULT_RANGE])
    return None if delta is None else (now or datetime.now(UTC)) - delta


def bucket_unit(range_name: str) -> str:
    """The chart's time bucket: hours for the last 24 hours, else days (a usage_summary group)."""
    return "hour" if range_name == "24h" else "day"


def bucket_labels(range_name: str, now: datetime, first: str | None) -> list[str]:
    """Every bucket of the range, empty ones included: 24 hours ("YYYY-MM-DDTHH") or the days
    from the range's start (for "all": the first day with traffic) to today."""
    now = now.astimezone(UTC)
    if bucket_unit(range_name) == "hour":
        top = now.replace(minute=0, second=0, microsecond=0)
        return [(top - timedelta(hours=h)).strftime("%Y-%m-%dT%H") for h in range(23, -1, -1)]
    since = since_for(range_name, now)
    if since is not None:
        start = since.date()
    else:
        start = datetime.fromisoformat(first).date() if first else now.date()
    days = (now.date() - start).days
    return [(start + timedelta(days=n)).isoformat() for n in range(days + 1)]


@dataclass(frozen=True, slots=True)
class Filters:
    range: str = DEFAULT_RANGE
    tier: str = ""
    client: str = ""
    mode: str = ""

    def keep(self, group: dict[str, Any]) -> bool:
        if self.tier and group.get("tier") != self.tier:
            return False
        if self.mode and (group.get("mode") or NO_MODE) != self.mode:
            return False
        return not self.client or (group.get("client") or NO_CLIENT) == self.client

    def query(self, **extra: str) -> dict[str, str]:
        """These filters as request-log query parameters (non-empty only)."""
        out = {"range": self.range, "tier": self.tier, "client": self.client, "mode": self.mode, **extra}
        return {k: v for k, v in out.items() if v}


@dataclass(slots=True)
class UsageView:
    unit: str = "day"
    labels: list[str] = field(default_factory=list)  # every bucket of the range
    models: list[str] = field(default_factory=list)  # by cost, then requests, descending
    by_model: dict[str, Tally] = field(default_factory=dict)
    by_bucket: list[Tally] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)
    sessions: list[tuple[str, Tally]] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)  # choices for the filters
    clients: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    requests: dict[str, list[int]] = field(default_factory=dict)  # model -> per bucket
    cost: dict[str, list[float]] = field(default_factory=dict)
    latency: dict[str, list[float | None]] = field(default_factory=dict)

    def chart_models(self) -> list[str]:
        """The top models by cost, then "other" when there are more."""
        top = self.models[:TOP_MODELS]
        return [*top, OTHER] if len(self.models) > TOP_MODELS else top

    def _series(self, per_model: dict[str, list[Any]]) -> list[dict[str, Any]]:
        top = self.models[:TOP_MODELS]
        out = [{"model": m, "data": per_model[m]} for m in top]
        rest = [per_model[m] for m in self.models[TOP_MODELS:]]
        if rest:
            out.append({"model": OTHER, "data": [sum(v) for v in zip(*rest, strict=True)]})
        return out

    def saved_cumulative(self) -> list[float]:
        running, out = 0.0, []
        for t in self.by_bucket:
            running += t.saved_usd
            out.append(round(running, 6))
        return out

    def chart_data(self) -> dict[str, Any]:
        """What the page's charts draw (embedded as JSON; the browser tests read it back)."""
        cost = {m: [round(v, 6) for v in vs] for m, vs in self.cost.items()}
        return {
            "unit": self.unit,
            "labels": self.labels,
            "requests": self._series(self.requests),
            "cost": self._series(cost),
            "saved_cumulative": self.saved_cumulative(),
            "latency": self.latency,
        }


def model_name(group: dict[str, Any]) -> str:
    return str(group.get("model") or NOT_ROUTED)


def build_view(
    by_bucket: Sequence[UsageSummaryRow],
    by_session: Sequence[UsageSummaryRow],
    filters: Filters,
    pricer: FrontierPricer,
    labels: list[str],
) -> UsageView:
    """`by_bucket` grouped by (day or hour, model, tier, client, mode, status); `by_session` by
    (session, tier, client, mode, status)."""
    unit = bucket_unit(filters.range)
    view = UsageView(
        unit=unit,
        labels=labels,
        tiers=_choices(r.group.get("tier") for r in by_bucket),
        clients=_choices(r.group.get("client") or NO_CLIENT for r in by_bucket),
        modes=_choices(r.group.get("mode") or NO_MODE for r in by_bucket),
        by_bucket=[Tally() for _ in labels],
    )
    index = {b: i for i, b in enumerate(labels)}
    for r in by_bucket:
        i = index.get(str(r.group[unit]))
        if i is None or not filters.keep(r.group):
            continue
        model = model_name(r.group)
        view.requests.setdefault(model, [0] * len(labels))[i] += r.requests
        view.cost.setdefault(model, [0.0] * len(labels))[i] += r.cost_usd
        view.by_model.setdefault(model, Tally()).add(r, pricer)
        view.by_bucket[i].add(r, pricer)
        view.total.add(r, pricer)
    view.models = sorted(
        view.by_model, key=lambda m: (-view.by_model[m].cost_usd, -view.by_model[m].requests, m)
    )
    sessions: dict[str, Tally] = {}
    for r in by_session:
        if filters.keep(r.group) and r.group.get("session"):
            sessions.setdefault(str(r.group["session"]), Tally()).add(r, pricer)
    ranked = sorted(sessions.items(), key=lambda kv: (-kv[1].cost_usd, -kv[1].requests, kv[0]))
    view.sessions = ranked[:TOP_SESSIONS]
    return view


def keep_record(r: UsageRecord, filters: Filters) -> bool:
    group = {"tier": r.tier, "client": r.client_name, "mode": r.mode}
    return filters.keep(group)


def latency_series(
    records: Iterable[UsageRecord], labels: list[str], unit: str
) -> dict[str, list[float | None]]:
    """Per bucket, of the served requests: p50 and p95 latency and p50 time to first token (ms)."""
    index = {b: i for i, b in enumerate(labels)}
    latency: list[list[float]] = [[] for _ in labels]
    ttft: list[list[float]] = [[] for _ in labels]
    fmt = "%Y-%m-%dT%H" if unit == "hour" else "%Y-%m-%d"
    for r in records:
        i = index.get(r.time.astimezone(UTC).strftime(fmt))
        if i is None or r.status >= 400:
            continue
        latency[i].append(r.latency_ms)
        if r.ttft_ms is not None:
            ttft[i].append(r.ttft_ms)
    return {
        "p50": [percentile(v, 0.5) for v in latency],
        "p95": [percentile(v, 0.95) for v in latency],
        "ttft_p50": [percentile(v, 0.5) for v in ttft],
    }


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least q of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(q * 1000) * len(ordered) // 1000))
    return round(ordered[min(rank, len(ordered)) - 1], 1)


def _choices(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values if v})
