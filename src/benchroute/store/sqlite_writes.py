"""Usage and decision inserts for an SQLite file, off the event loop and without SQLAlchemy per row.

Through SQLAlchemy (async, aiosqlite) a batch of 15 records cost ~0.26 ms of CPU per record, most
of it statement compilation and parameter processing on the event loop thread. Here one thread
owns one `sqlite3` connection and runs a prepared `INSERT ... ON CONFLICT (id) DO NOTHING` with
`executemany`; values are converted by the same bind processors SQLAlchemy would use (the engine's
dialect), so what lands in the table is byte for byte what `SqlStore` writes and reads elsewhere.

The thread shares the GIL with the event loop, and its core when the gateway is pinned to one, so
what it does must not hold up a request (a batch was 1-3.5 ms of its CPU every 50 ms at one client;
benchmarks/overhead/README.md, third pass):

- Rows are converted one at a time inside `executemany` (an iterator, not a list): the thread
  releases the GIL for every `sqlite3_step`, so the loop waits for at most one row's conversion,
  not a whole batch's. A row is read with one `attrgetter`; only columns with a processor are
  converted, the time column by `utc_text` (what SQLAlchemy binds, without its `%` formatting).
- The thread runs at a lower scheduling priority (`WRITER_NICE`): a loop thread that wakes up
  gets the CPU sooner. It still gets its share when the loop is busy (`nice` lowers its weight,
  it does not starve it), so the queue in front of it cannot grow without bound.
- `None` binds as NULL through a registered adapter: without one, `sqlite3` first looks for an
  `__adapt__` method on its protocol type for every `None` parameter, which raises (and clears) an
  `AttributeError` each time: ~4 per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from benchroute.store.schema import UtcDateTime

Processor = Callable[[Any], Any] | None

WRITER_NICE = 10  # added to the writer thread's niceness (Linux): the request path comes first


def _null(value: None) -> None:
    return None


def _lower_priority() -> None:
    """Run in the writer thread: its niceness `WRITER_NICE` higher than the process's (Linux sets
    it per thread; elsewhere, or when not allowed, it stays as it was)."""
    with contextlib.suppress(AttributeError, OSError):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + WRITER_NICE))


def utc_text(value: datetime | None) -> str | None:
    """What SQLAlchemy binds for a `UtcDateTime` on SQLite (`UtcDateTime.process_bind_param`, then
    SQLite's `DATETIME` storage format, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC), in one C call instead
    of two Python functions and a `%` format (a test checks they agree)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat(" ", "microseconds")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:-6]  # less "+00:00" (no `replace`: kwargs are slow)


class PreparedInsert:
    """`INSERT INTO table (columns) VALUES (?, ...) ON CONFLICT (id) DO NOTHING` for one table, with
    each column's bind processor for `dialect`; `rows` turns records into parameter tuples."""

    def __init__(self, table: sa.Table, names: Sequence[str], dialect: Dialect) -> None:
        self.names = tuple(names)
        columns = ", ".join(f'"{name}"' for name in self.names)
        marks = ", ".join("?" for _ in self.names)
        self.sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING'
        self.processors: tuple[Processor, ...] = tuple(
            utc_text if isinstance(table.c[name].type, UtcDateTime) and dialect.name == "sqlite"
            else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.names
        )  # fmt: skip
        # one C call reads every field; only the columns with a processor are touched after it
        self._values = attrgetter(*self.names)
        self._converted = tuple((i, p) for i, p in enumerate(self.processors) if p is not None)

    def rows(self, records: Sequence[Any]) -> Iterator[list[Any]]:
        """The records' parameters, one row at a time (see the module's docstring)."""
        values, converted = self._values, self._converted
        for r in records:
            row = list(values(r))
            for i, process in converted:
                row[i] = process(row[i])
            yield row


class SqliteInserter:
    """One thread, one connection: `run(insert, rows)` inserts `rows` in one transaction."""

    def __init__(self, path: Path, *, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="benchroute-sqlite-writer", initializer=_lower_priority
        )
        sqlite3.register_adapter(type(None), _null)  # the same NULL, without a failed lookup per None
        self._conn: sqlite3.Connection | None = None  # used only in the executor's thread

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self._path, timeout=self._busy_timeout_ms / 1000, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            self._conn = conn
        return self._conn

    def _insert(self, inserts: Sequence[tuple[PreparedInsert, Sequence[Any]]]) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for insert, records in inserts:
                conn.executemany(insert.sql, insert.rows(records))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    async def run(self, *inserts: tuple[PreparedInsert, Sequence[Any]]) -> None:
        """Insert each `(insert, records)` (rows converted in the writer thread too), all in one
        transaction and one hand-off to the thread; raises what sqlite3 raised (nothing written)."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._insert, inserts)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)
