"""The request log's filters, pages and the session timeline's turns (pure functions).

Every request is in the usage log, rejected ones included (status >= 400, maybe no model). The
filters are URL query parameters, so a filtered view can be bookmarked and shared, and the
usage page's Errors tile links to `?status=error`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from benchroute.dashboard.usage import DEFAULT_RANGE, RANGES, since_for
from benchroute.store.base import DecisionRecord, UsageRecord

PAGE_SIZE = 50
SCAN_LIMIT = 5000  # the newest requests of the range a filtered view looks through
STATUS_CHOICES = {"ok": "succeeded (< 400)", "error": "failed (≥ 400)", "4xx": "4xx", "5xx": "5xx"}
# log filter name -> usage column, compared for equality in the store
EQUALITY = {
    "model": "routed_model",
    "tier": "tier",
    "client": "client_name",
    "session": "session_key",
    "mode": "mode",
}


@dataclass(frozen=True, slots=True)
class LogFilters:
    range: str = DEFAULT_RANGE
    status: str = ""  # "", ok, error, 4xx, 5xx or one code ("429")
    model: str = ""
    tier: str = ""
    client: str = ""
    session: str = ""
    mode: str = ""
    page: int = 1

    @classmethod
    def parse(cls, q: Mapping[str, str]) -> LogFilters:
        page = q.get("page", "1")
        status = q.get("status", "").strip().lower()
        if status not in STATUS_CHOICES and not re.fullmatch(r"[1-5]\d\d", status):
            status = ""
        range_name = q.get("range", "")
        return cls(
            range=range_name if range_name in RANGES else DEFAULT_RANGE,
            status=status,
            page=int(page) if page.isdigit() and int(page) > 0 else 1,
            **{name: q.get(name, "").strip()[:200] for name in EQUALITY},
        )

    def store_filters(self, now: datetime | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {EQUALITY[k]: getattr(self, k) for k in EQUALITY if getattr(self, k)}
        if re.fullmatch(r"\d{3}", self.status):
            out["status"] = int(self.status)
        since = since_for(self.range, now)
        if since is not None:
            out["since"] = since
        return out

    def keep(self, r: UsageRecord) -> bool:
        s = self.status
        if s == "ok":
            return r.status < 400
        if s == "error":
            return r.status >= 400
        if s in ("4xx", "5xx"):
            return r.status // 100 == int(s[0])
        return True

    def url(self, **change: Any) -> str:
        """This view's query string with some parameters changed ("" drops one)."""
        values = {
            "range": self.range,
            "status": self.status,
            "page": str(self.page),
            **{k: getattr(self, k) for k in EQUALITY},
        }
        values.update({k: str(v) for k, v in change.items()})
        if values.get("range") == DEFAULT_RANGE:
            values.pop("range")
        if values.get("page") == "1":
            values.pop("page")
        return "?" + urlencode({k: v for k, v in values.items() if v})

    @property
    def active(self) -> bool:
        return bool(self.status or any(getattr(self, k) for k in EQUALITY))


@dataclass(slots=True)
class LogPage:
    rows: list[UsageRecord]
    matched: int
    page: int
    pages: int
    capped: bool  # the scan limit was reached: older requests are not searched

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0


def paginate(records: Sequence[UsageRecord], filters: LogFilters, scanned_all: bool) -> LogPage:
    kept = [r for r in records if filters.keep(r)]
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    page = min(filters.page, pages)
    start = (page - 1) * PAGE_SIZE
    return LogPage(kept[start : start + PAGE_SIZE], len(kept), page, pages, not scanned_all)


# ---- the session timeline ----------------------------------------------------------------------

POLICY_PICK = re.compile(r"The policy alone would pick (\S+) ")


@dataclass(slots=True)
class Turn:
    n: int
    time: datetime
    decision_id: str
    model: str
    tier: str
    reason: str
    action: str  # new, stay, escalate, downshift, tool loop, failover, manual
    policy_pick: str | None  # what the policy alone would have picked, when recorded and different
    cost_usd: float
    running_usd: float
    status: int | None
    tokens: int
    note: str = ""
    switched: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def turn_action(d: Mapping[str, Any]) -> str:
    reason, action = str(d.get("reason") or ""), str(d.get("session_action") or "none")
    if reason == "session_tool_loop":
        return "tool loop"
    if action == "forced_by_failure":
        return "failover"
    if d.get("tier") == "manual":
        return "manual"
    return action if action != "none" else "—"


def timeline(decisions: Sequence[DecisionRecord], usage: Sequence[UsageRecord]) -> list[Turn]:
    """The session's turns, oldest first, with the usage of each (cost, status, tokens)."""
    by_id = {u.id: u for u in usage}
    turns: list[Turn] = []
    running, previous = 0.0, None
    for i, rec in enumerate(sorted(decisions, key=lambda r: (r.time, r.id))):
        d, u = rec.decision, by_id.get(rec.id)
        cost = u.cost_usd if u else 0.0
        running += cost
        model = str(u.routed_model if u and u.routed_model else d.get("model") or "")
        found = POLICY_PICK.search(str(d.get("explanation") or ""))
        pick = found.group(1) if found and found.group(1) != model else None
        turns.append(
            Turn(
                n=i + 1,
                time=rec.time,
                decision_id=rec.id,
                model=model,
                tier=str(d.get("tier") or ""),
                reason=str(d.get("reason") or ""),
                action=turn_action(d),
                policy_pick=pick,
                cost_usd=cost,
                running_usd=running,
                status=u.status if u else None,
                tokens=(u.prompt_tokens + u.completion_tokens) if u else 0,
                note=str(d.get("session_note") or ""),
                switched=previous is not None and model != previous,
            )
        )
        previous = model
    return turns
