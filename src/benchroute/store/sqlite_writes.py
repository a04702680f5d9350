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
- Every `YIELD_EVERY` rows the thread gives up its core (`os.sched_yield`, which also releases
  the GIL): under EEVDF (Linux 6.6+) a thread of any niceness, once picked, runs a whole base
  slice, so with the gateway pinned to one core the loop thread waited on the run queue behind a
  batch (~2-3 ms at p99 with 16 clients); yielding between rows lets a loop that has work run
  first, and costs one system call when it has none (benchmarks/overhead/README.md, stop 8).
- `None` binds as NULL through a registered adapter: without one, `sqlite3` first looks for an
  `__adapt__` method on its protocol type for every `None` parameter, which raises (and clears) an
  `AttributeError` each time: ~4 per request. The adapter is a C callable (`_NULL`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from benchroute.store.schema import UtcDateTime

Processor = Callable[[Any], Any] | None

T = TypeVar("T")

WRITER_NICE = 10  # added to the writer thread's niceness (Linux): the request path comes first
YIELD_EVERY = 2  # rows converted between two `os.sched_yield` calls of the writer thread
SCHED_YIELD: Callable[[], None] | None = getattr(os, "sched_yield", None)  # POSIX only


# `sqlite3`'s adapter for `None`: a C callable that returns None for None (an empty dict's `get`),
# not a Python function: it runs for every NULL parameter, ~11 per usage row (~700 instructions
# each as a Python call, ~100 as this)
_NO_VALUES: dict[None, None] = {}
_NULL = _NO_VALUES.get


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


def utc_text_by_second() -> Callable[[datetime | None], str | None]:
    """`utc_text` for one writer, formatting the date and time to the second once per second (a
    batch's records share it) and only the microseconds for each: `isoformat` is ~13,000
    instructions (glibc's `printf`), this ~6,000; the writer thread converts two per request."""
    last: list[Any] = [None, ""]  # (year, ..., second) of the last value, its "YYYY-MM-DD HH:MM:SS"

    def convert(value: datetime | None) -> str | None:
        if value is None or value.tzinfo is not UTC:
            return utc_text(value)
        key = (value.second, value.minute, value.hour, value.day, value.month, value.year)
        if key != last[0]:
            last[0] = key
            last[1] = value.isoformat(" ", "seconds")[:-6]
        return f"{last[1]}.{value.microsecond:06d}"

    return convert


class PreparedInsert:
    """`INSERT INTO table (columns) VALUES (?, ...) ON CONFLICT (id) DO NOTHING` for one table, with
    each column's bind processor for `dialect`; `rows` turns records into parameter tuples."""

    def __init__(
        self,
        table: sa.Table,
        names: Sequence[str],
        dialect: Dialect,
        *,
        pause: Callable[[], None] | None = SCHED_YIELD,
    ) -> None:
        self.names = tuple(names)
        self._pause = pause  # called every `YIELD_EVERY` rows (None: never)
        columns = ", ".join(f'"{name}"' for name in self.names)
        marks = ", ".join("?" for _ in self.names)
        self.sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING'
        utc = utc_text_by_second()  # used in the writer thread only
        self.processors: tuple[Processor, ...] = tuple(
            utc if isinstance(table.c[name].type, UtcDateTime) and dialect.name == "sqlite"
            else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self.names
        )  # fmt: skip
        # one C call reads every field; only the columns with a processor are touched after it
        self._values = attrgetter(*self.names)
        self._converted = tuple((i, p) for i, p in enumerate(self.processors) if p is not None)

    def rows(self, records: Sequence[Any]) -> Iterator[list[Any]]:
        """The records' parameters, one row at a time (see the module's docstring)."""
        values, converted, pause = self._values, self._converted, self._pause
        for n, r in enumerate(records, 1):
            row = list(values(r))
            for i, process in converted:
                row[i] = process(row[i])
            yield row
            if pause is not None and not n % YIELD_EVERY:
                pause()  # the loop thread first, if it has work (see the module's docstring)


_Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, asyncio.Future[Any]]


class SqliteInserter:
    """One thread, one connection: `run(insert, rows)` inserts `rows` in one transaction.

    The thread is the inserter's own, fed through a `queue.SimpleQueue` and answering with
    `call_soon_threadsafe`, not a `ThreadPoolExecutor`: `run_in_executor` cost the event loop ~600
    bytecodes per batch (a `concurrent.futures.Future`, its condition variable, `wrap_future` and
    the chaining of the two futures, an `iscoroutinefunction` check) and the thread as much again,
    holding the GIL; here the loop makes one future and one `put` (C), and the thread waits in C."""

    def __init__(self, path: Path, *, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None  # started by the first job
        sqlite3.register_adapter(type(None), _NULL)  # the same NULL, without a failed lookup per None
        self._conn: sqlite3.Connection | None = None  # used only in the inserter's thread

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

    def _serve(self) -> None:
        """The thread: run each job, hand its outcome to the job's loop; stop at None."""
        _lower_priority()
        get = self._jobs.get
        while (job := get()) is not None:
            fn, args, loop, future = job
            try:
                result, error = fn(*args), None
            except BaseException as exc:  # the caller gets it, as from an executor
                result, error = None, exc
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                loop.call_soon_threadsafe(_settle, future, result, error)
            del job, args, future, result, error  # hold no batch while waiting for the next

    def call(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """`fn(*args)` in the inserter's thread (after the jobs before it)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="benchroute-sqlite-writer", daemon=True)
            self._thread.start()
        self._jobs.put((fn, args, loop, future))
        return future

    async def run(self, *inserts: tuple[PreparedInsert, Sequence[Any]]) -> None:
        """Insert each `(insert, records)` (rows converted in the writer thread too), all in one
        transaction and one hand-off to the thread; raises what sqlite3 raised (nothing written)."""
        await self.call(self._insert, inserts)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        if self._thread is None:
            return
        await self.call(self._close)
        thread, self._thread = self._thread, None
        self._jobs.put(None)
        await asyncio.to_thread(thread.join)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
