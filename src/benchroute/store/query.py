"""Pieces of the query surface shared by every backend: group names, filters, time handling."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from benchroute.store.base import UsageRecord, UsageSummaryRow
from benchroute.store.errors import StoreError

# `usage_summary(group_by=...)` name -> UsageRecord attribute ("day" and "hour" are derived from `time`).
GROUPS: dict[str, str] = {
    "model": "routed_model",
    "day": "time",
    "project": "project",
    "session": "session_key",
    "tier": "tier",
    "client": "client_name",
    "provider": "provider",
    "key": "key_id",
    "mode": "mode",
    "status": "status",
    "hour": "time",
    "frontier_unfit": "frontier_unfit",
}

USAGE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(UsageRecord))
# `list_usage(**filters)`: equality on any column except time, plus `since` / `until`.
EQUALITY_FILTERS = frozenset(USAGE_FIELDS) - {"time", "project"}
RANGE_FILTERS = frozenset({"since", "until"})


def to_utc(value: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def check_group_by(group_by: Sequence[str]) -> list[str]:
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown:
        raise StoreError(f"unknown usage group {unknown[0]!r}; use one of {sorted(GROUPS)}")
    return list(dict.fromkeys(group_by))


def check_filters(filters: Mapping[str, Any]) -> None:
    for name in filters:
        if name not in EQUALITY_FILTERS and name not in RANGE_FILTERS:
            raise StoreError(f"unknown usage filter {name!r}")


def sort_rows(rows: Iterable[UsageSummaryRow], group_by: Sequence[str]) -> list[UsageSummaryRow]:
    """One order on every backend: by group values, None last."""

    def key(row: UsageSummaryRow) -> tuple[tuple[bool, str], ...]:
        return tuple((row.group[g] is None, str(row.group[g])) for g in group_by)

    return sorted(rows, key=key)
