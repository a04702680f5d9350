"""The SQLAlchemy async engine of `SqlStore`: SQLite (aiosqlite) or PostgreSQL (asyncpg).

SQLite connections get a busy timeout, WAL and synchronous=NORMAL; SQLAlchemy emits BEGIN itself so
migrations can take the write lock up front. Every engine hides parameters from error messages.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from benchroute.store import migrate
from benchroute.store.files import private_file
from benchroute.store.urls import async_url, backend_of, sqlite_path

SQLITE_BUSY_TIMEOUT_MS = 10_000


def json_dumps(value: Any) -> str:
    # JSON columns (decisions, settings): orjson, ~10x faster than json.dumps on a decision record.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # The driver's own implicit BEGIN skips SELECT and DDL; SQLAlchemy emits BEGIN itself instead
    # (`_sqlite_begin`), so migrations can take the write lock up front (BEGIN IMMEDIATE).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL: readers (dashboard, CLI) never block the writer. synchronous=NORMAL survives a crash of
    # the process; a power loss may lose the last commits but never corrupts the database.
    _set_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _set_wal(cur: Any) -> None:
    """PRAGMA journal_mode=WAL, retried: SQLite answers "database is locked" at once, without its busy
    handler, while another connection (a second gateway starting on the same file, a migration) holds
    the lock the switch needs. Runs once per new connection, on the driver's thread."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _sqlite_begin(conn: sa.Connection) -> None:
    mode = conn.get_execution_options().get(migrate.SQLITE_BEGIN_OPTION, "")
    conn.exec_driver_sql(f"BEGIN {mode}".strip())


def create_engine(url: str, *, schema: str | None = None) -> AsyncEngine:
    """The engine for a store URL; `schema` (PostgreSQL, already validated) goes on the search path."""
    # hide_parameters: error messages must not carry row values (ciphertexts, session keys, ...).
    if backend_of(url) == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            private_file(path)
        engine = create_async_engine(
            async_url(url),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
            json_serializer=json_dumps,
        )
        sa.event.listen(engine.sync_engine, "connect", _sqlite_connect)
        sa.event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(
        async_url(url),
        connect_args=connect_args,
        pool_pre_ping=True,
        hide_parameters=True,
        json_serializer=json_dumps,
    )


def insert_for(engine: AsyncEngine, table: sa.Table) -> Any:
    """An INSERT with the dialect's `on_conflict_do_*` (PostgreSQL or SQLite)."""
    if engine.dialect.name == "postgresql":
        return pg.insert(table)
    return sqlite_dialect.insert(table)


def row(record: object, names: Sequence[str]) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every value, which made it the writer's bottleneck.
    return {name: getattr(record, name) for name in names}
