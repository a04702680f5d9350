"""Routing decisions on SQLAlchemy Core: the decision methods of `SqlStore` (a part over its engine).

Writes are idempotent on the decision id (insert-or-ignore), like usage.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from benchroute.store import schema as t
from benchroute.store.base import DecisionRecord
from benchroute.store.sql_engine import insert_for, row
from benchroute.store.sql_part import SqlPart

DECISION_FIELDS = ("id", "time", "project", "session_key", "decision")


class SqlDecisions(SqlPart):
    async def write_decisions(self, records: Sequence[DecisionRecord]) -> None:
        if not records:
            return
        fast = self._fast_insert(t.decisions, DECISION_FIELDS)
        if fast is not None:
            inserter, insert = fast
            await inserter.run((insert, records))
            return
        stmt = insert_for(self.engine, t.decisions).on_conflict_do_nothing(index_elements=["id"])
        async with self.engine.begin() as conn:
            await conn.execute(stmt, [row(r, DECISION_FIELDS) for r in records])

    async def get_decision(self, decision_id: str, *, project: str | None) -> DecisionRecord | None:
        stmt = sa.select(t.decisions).where(t.decisions.c.id == decision_id)
        if project is not None:
            stmt = stmt.where(t.decisions.c.project == project)
        async with self.engine.connect() as conn:
            m = (await conn.execute(stmt)).mappings().first()
        return None if m is None else DecisionRecord(**m)

    async def list_decisions(
        self, *, project: str | None, session_key: str | None = None, limit: int = 100
    ) -> list[DecisionRecord]:
        d = t.decisions.c
        stmt = sa.select(t.decisions).order_by(d.time.desc(), d.id.desc()).limit(limit)
        if project is not None:
            stmt = stmt.where(d.project == project)
        if session_key is not None:
            stmt = stmt.where(d.session_key == session_key)
        async with self.engine.connect() as conn:
            return [DecisionRecord(**m) for m in (await conn.execute(stmt)).mappings()]
