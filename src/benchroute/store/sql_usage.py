"""Usage records on SQLAlchemy Core: the usage methods of `SqlStore` (a part over its engine).

Writes are idempotent on the record id (insert-or-ignore); summaries group in the database, by day
or hour in UTC on both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from benchroute.store import schema as t
from benchroute.store.base import UsageRecord, UsageSummaryRow
from benchroute.store.query import GROUPS, USAGE_FIELDS, check_filters, check_group_by, sort_rows
from benchroute.store.sql_engine import insert_for, row
from benchroute.store.sql_part import SqlPart


def _usage_where(
    project: str | None, since: datetime | None, until: datetime | None
) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if project is not None:
        where.append(t.usage.c.project == project)
    if since is not None:
        where.append(t.usage.c.time >= since)
    if until is not None:
        where.append(t.usage.c.time < until)
    return where


def _summary_columns() -> list[sa.ColumnElement[Any]]:
    c = t.usage.c
    return [
        sa.func.count().label("requests"),
        sa.func.coalesce(sa.func.sum(c.prompt_tokens), 0).label("prompt"),
        sa.func.coalesce(sa.func.sum(c.completion_tokens), 0).label("completion"),
        sa.func.coalesce(sa.func.sum(c.cached_tokens), 0).label("cached"),
        sa.func.coalesce(sa.func.sum(c.cost_usd), 0.0).label("cost"),
        sa.func.coalesce(sa.func.sum(c.frontier_cost_usd), 0.0).label("frontier"),
        sa.func.coalesce(sa.func.sum(sa.case((c.status >= 400, 1), else_=0)), 0).label("errors"),
        sa.func.coalesce(
            sa.func.sum(sa.case((c.frontier_cost_usd.is_not(None), c.cost_usd), else_=0.0)), 0.0
        ).label("priced"),
    ]


def _summary_row(m: Any, groups: Sequence[str]) -> UsageSummaryRow:
    return UsageSummaryRow(
        group={g: m[f"g_{g}"] for g in groups},
        requests=int(m["requests"]),
        prompt_tokens=int(m["prompt"]),
        completion_tokens=int(m["completion"]),
        cost_usd=float(m["cost"]),
        frontier_cost_usd=float(m["frontier"]),
        extra={
            "cached_tokens": int(m["cached"]),
            "errors": int(m["errors"]),
            "priced_cost_usd": float(m["priced"]),
        },
    )


class SqlUsage(SqlPart):
    async def write_usage(self, records: Sequence[UsageRecord]) -> None:
        if not records:
            return
        fast = self._fast_insert(t.usage, USAGE_FIELDS)
        if fast is not None:
            inserter, insert = fast
            await inserter.run((insert, records))
            return
        stmt = insert_for(self.engine, t.usage).on_conflict_do_nothing(index_elements=["id"])
        async with self.engine.begin() as conn:
            await conn.execute(stmt, [row(r, USAGE_FIELDS) for r in records])

    def _day(self, hour: bool = False) -> sa.ColumnElement[str]:
        """The UTC day ("YYYY-MM-DD") or hour ("YYYY-MM-DDTHH") of a usage row."""
        if self.engine.dialect.name == "postgresql":
            fmt = 'YYYY-MM-DD"T"HH24' if hour else "YYYY-MM-DD"
            return sa.func.to_char(sa.func.timezone("UTC", t.usage.c.time), fmt, type_=sa.String)
        # SQLite keeps naive UTC ISO text ("YYYY-MM-DD HH:MM:SS"): day and hour are its prefix.
        text = sa.type_coerce(t.usage.c.time, sa.String)
        if hour:
            return sa.func.replace(sa.func.substr(text, 1, 13), " ", "T", type_=sa.String)
        return sa.func.substr(text, 1, 10, type_=sa.String)

    def _group_col(self, group: str) -> sa.ColumnElement[Any]:
        if group in ("day", "hour"):
            return self._day(hour=group == "hour")
        return t.usage.c[GROUPS[group]]

    async def usage_summary(
        self,
        *,
        project: str | None,
        group_by: Sequence[str],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[UsageSummaryRow]:
        groups = check_group_by(group_by)
        group_cols = [self._group_col(g).label(f"g_{g}") for g in groups]
        stmt = (
            sa.select(*group_cols, *_summary_columns())
            .where(*_usage_where(project, since, until))
            .group_by(*group_cols)
        )
        async with self.engine.connect() as conn:
            result = await conn.execute(stmt)
            rows = [_summary_row(m, groups) for m in result.mappings()]
        return sort_rows(rows, groups)

    async def list_usage(self, *, project: str | None, limit: int = 100, **filters: Any) -> list[UsageRecord]:
        check_filters(filters)
        since, until = filters.pop("since", None), filters.pop("until", None)
        where = _usage_where(project, since, until)
        where += [t.usage.c[name] == value for name, value in filters.items()]
        stmt = (
            sa.select(t.usage).where(*where).order_by(t.usage.c.time.desc(), t.usage.c.id.desc()).limit(limit)
        )
        async with self.engine.connect() as conn:
            result = await conn.execute(stmt)
            return [UsageRecord(**m) for m in result.mappings()]
