"""Benchmark results on SQLAlchemy Core: the bench-result methods of `SqlStore` (a part over its
engine). Results are appended, never updated; listing is in insertion order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import sqlalchemy as sa

from benchroute.store import schema as t
from benchroute.store.base import BenchResult
from benchroute.store.sql_engine import row
from benchroute.store.sql_part import SqlPart

BENCH_FIELDS = tuple(f.name for f in fields(BenchResult))


class SqlBench(SqlPart):
    async def write_bench_results(self, results: Sequence[BenchResult]) -> None:
        if not results:
            return
        async with self.engine.begin() as conn:
            await conn.execute(t.bench_results.insert(), [row(r, BENCH_FIELDS) for r in results])

    async def list_bench_results(
        self, *, run_id: str | None = None, suite: str | None = None, model: str | None = None
    ) -> list[BenchResult]:
        b = t.bench_results.c
        stmt = sa.select(*(b[name] for name in BENCH_FIELDS)).order_by(b.id)
        if run_id is not None:
            stmt = stmt.where(b.run_id == run_id)
        if suite is not None:
            stmt = stmt.where(b.suite == suite)
        if model is not None:
            stmt = stmt.where(b.model == model)
        async with self.engine.connect() as conn:
            return [BenchResult(**m) for m in (await conn.execute(stmt)).mappings()]
