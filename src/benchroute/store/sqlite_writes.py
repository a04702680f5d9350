"""Usage and decision inserts for an SQLite file, off the event loop and without SQLAlchemy per row.

Through SQLAlchemy (async, aiosqlite) a batch of 15 records cost ~0.26 ms of CPU per record, most
of it statement compilation and parameter processing on the event loop thread. Here one thread
owns one `sqlite3` connection and runs a prepared `INSERT ... ON CONFLICT (id) DO NOTHING` with
`executemany`; values are converted by the same bind processors SQLAlchemy would use (the engine's
dialect), so what lands in the table is byte for byte what `SqlStore` writes and reads elsewhere.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


class PreparedInsert:
    """`INSERT INTO table (columns) VALUES (?, ...) ON CONFLICT (id) DO NOTHING` for one table, with
    each column's bind processor for `dialect`; `rows` turns records into parameter tuples."""

    def __init__(self, table: sa.Table, names: Sequence[str], dialect: Dialect) -> None:
        self.names = tuple(names)
        columns = ", ".join(f'"{name}"' for name in self.names)
        marks = ", ".join("?" for _ in self.names)
        self.sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING'
        self.processors: tuple[Processor, ...] = tuple(
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self.names
        )

    def rows(self, records: Sequence[Any]) -> list[tuple[Any, ...]]:
        pairs = tuple(zip(self.names, self.processors, strict=True))
        return [
            tuple(getattr(r, name) if p is None else p(getattr(r, name)) for name, p in pairs)
            for r in records
        ]


class SqliteInserter:
    """One thread, one connection: `run(insert, rows)` inserts `rows` in one transaction."""

    def __init__(self, path: Path, *, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="benchroute-sqlite-writer")
        self._conn: sqlite3.Connection | None = None  # used only in the executor's thread

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, timeout=self._busy_timeout_ms / 1000, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            self._conn = conn
        return self._conn

    def _insert(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(sql, rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    async def run(self, insert: PreparedInsert, convert: Callable[[], list[tuple[Any, ...]]]) -> None:
        """Convert (in the writer thread too) and insert; raises what sqlite3 raised."""

        def work() -> None:
            self._insert(insert.sql, convert())

        await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)
