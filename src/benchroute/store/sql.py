"""`SqlStore`: the `Store` on SQLAlchemy Core (async), SQLite (aiosqlite) or PostgreSQL (asyncpg).

`start()` applies the Alembic migrations (idempotent). Usage and decision writes are idempotent on
the record id (insert-or-ignore), so the writer can retry and replay without double counting.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from benchroute.store import migrate
from benchroute.store import schema as t
from benchroute.store.base import (
    BenchResult,
    DecisionRecord,
    SettingsChange,
    UsageRecord,
    UsageSummaryRow,
)
from benchroute.store.crypto import KeyBox, mask
from benchroute.store.errors import StoreError
from benchroute.store.files import private_file
from benchroute.store.query import GROUPS, USAGE_FIELDS, check_filters, check_group_by, sort_rows
from benchroute.store.sql_keys import SqlKeys
from benchroute.store.sqlite_writes import PreparedInsert, SqliteInserter
from benchroute.store.urls import async_url, backend_of, redact, sqlite_path

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_BENCH_FIELDS = tuple(f.name for f in fields(BenchResult))
_DECISION_FIELDS = ("id", "time", "project", "session_key", "decision")
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _row(record: object, names: Sequence[str]) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every value, which made it the writer's bottleneck.
    return {name: getattr(record, name) for name in names}


def _json_dumps(value: Any) -> str:
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


class SqlStore(SqlKeys):
    def __init__(self, url: str, *, secret: str | None = None, schema: str | None = None) -> None:
        """`schema` (PostgreSQL only) puts every table in that schema, created on start."""
        self._url = url
        self._backend = backend_of(url)
        if self._backend == "memory":
            raise StoreError("memory:// is served by MemoryStore, not SqlStore")
        if schema is not None and (self._backend != "postgresql" or not _SCHEMA_NAME.match(schema)):
            raise StoreError(f"invalid PostgreSQL schema name {schema!r}")
        self._schema = schema
        self._box = KeyBox(secret or secrets.token_urlsafe(32))
        self._engine: AsyncEngine | None = None
        # SQLite file: usage and decision inserts go through one thread of their own (sqlite_writes)
        self._inserter: SqliteInserter | None = None
        self._inserts: dict[str, PreparedInsert] = {}

    def __repr__(self) -> str:
        return f"SqlStore({redact(self._url)!r})"

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> AsyncEngine:
        # hide_parameters: error messages must not carry row values (ciphertexts, session keys, ...).
        url = async_url(self._url)
        if self._backend == "sqlite":
            path = sqlite_path(self._url)
            if path is not None:
                private_file(path)
            engine = create_async_engine(
                url,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                hide_parameters=True,
                json_serializer=_json_dumps,
            )
            sa.event.listen(engine.sync_engine, "connect", _sqlite_connect)
            sa.event.listen(engine.sync_engine, "begin", _sqlite_begin)
            return engine
        connect_args: dict[str, Any] = {}
        if self._schema:
            connect_args["server_settings"] = {"search_path": self._schema}
        return create_async_engine(
            url,
            connect_args=connect_args,
            pool_pre_ping=True,
            hide_parameters=True,
            json_serializer=_json_dumps,
        )

    async def start(self) -> None:
        await migrate.upgrade(self.engine, schema=self._schema)

    async def close(self) -> None:
        inserter, self._inserter = self._inserter, None
        if inserter is not None:
            await inserter.close()
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def current_revision(self) -> str | None:
        return await migrate.current(self.engine)

    async def upgrade(self, revision: str = "head") -> None:
        await migrate.upgrade(self.engine, revision, schema=self._schema)

    def _insert(self, table: sa.Table) -> Any:
        if self._backend == "postgresql":
            return pg.insert(table)
        return sqlite_dialect.insert(table)

    def _fast_insert(
        self, table: sa.Table, names: Sequence[str]
    ) -> tuple[SqliteInserter, PreparedInsert] | None:
        """The direct path for inserts into an SQLite file (None for other databases)."""
        if self._backend != "sqlite":
            return None
        path = sqlite_path(self._url)
        if path is None:
            return None
        if self._inserter is None:
            self._inserter = SqliteInserter(path, busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS)
        insert = self._inserts.get(table.name)
        if insert is None:
            insert = self._inserts[table.name] = PreparedInsert(table, names, self.engine.dialect)
        return self._inserter, insert

    # usage
    async def write_usage(self, records: Sequence[UsageRecord]) -> None:
        if not records:
            return
        fast = self._fast_insert(t.usage, USAGE_FIELDS)
        if fast is not None:
            inserter, insert = fast
            await inserter.run(insert, lambda: insert.rows(records))
            return
        stmt = self._insert(t.usage).on_conflict_do_nothing(index_elements=["id"])
        async with self.engine.begin() as conn:
            await conn.execute(stmt, [_row(r, USAGE_FIELDS) for r in records])

    def _day(self, hour: bool = False) -> sa.ColumnElement[str]:
        """The UTC day ("YYYY-MM-DD") or hour ("YYYY-MM-DDTHH") of a usage row."""
        if self._backend == "postgresql":
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

    def _usage_where(
        self, project: str | None, since: datetime | None, until: datetime | None
    ) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if project is not None:
            where.append(t.usage.c.project == project)
        if since is not None:
            where.append(t.usage.c.time >= since)
        if until is not None:
            where.append(t.usage.c.time < until)
        return where

    async def usage_summary(
        self,
        *,
        project: str | None,
        group_by: Sequence[str],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[UsageSummaryRow]:
        groups = check_group_by(group_by)
        c = t.usage.c
        group_cols = [self._group_col(g).label(f"g_{g}") for g in groups]
        stmt = (
            sa.select(
                *group_cols,
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
            )
            .where(*self._usage_where(project, since, until))
            .group_by(*group_cols)
        )
        async with self.engine.connect() as conn:
            result = await conn.execute(stmt)
            rows = [
                UsageSummaryRow(
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
                for m in result.mappings()
            ]
        return sort_rows(rows, groups)

    async def list_usage(self, *, project: str | None, limit: int = 100, **filters: Any) -> list[UsageRecord]:
        check_filters(filters)
        since, until = filters.pop("since", None), filters.pop("until", None)
        where = self._usage_where(project, since, until)
        where += [t.usage.c[name] == value for name, value in filters.items()]
        stmt = (
            sa.select(t.usage).where(*where).order_by(t.usage.c.time.desc(), t.usage.c.id.desc()).limit(limit)
        )
        async with self.engine.connect() as conn:
            result = await conn.execute(stmt)
            return [UsageRecord(**m) for m in result.mappings()]

    # decisions
    async def write_decisions(self, records: Sequence[DecisionRecord]) -> None:
        if not records:
            return
        fast = self._fast_insert(t.decisions, _DECISION_FIELDS)
        if fast is not None:
            inserter, insert = fast
            await inserter.run(insert, lambda: insert.rows(records))
            return
        stmt = self._insert(t.decisions).on_conflict_do_nothing(index_elements=["id"])
        rows = [
            {
                "id": r.id,
                "time": r.time,
                "project": r.project,
                "session_key": r.session_key,
                "decision": r.decision,
            }
            for r in records
        ]
        async with self.engine.begin() as conn:
            await conn.execute(stmt, rows)

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

    # BYOK provider keys
    async def set_provider_key(self, project: str, provider: str, secret: str) -> None:
        values = {
            "ciphertext": self._box.encrypt(project, provider, secret),
            "masked": mask(secret),
            "updated": datetime.now(UTC),
        }
        stmt = (
            self._insert(t.provider_keys)
            .values(project=project, provider=provider, **values)
            .on_conflict_do_update(index_elements=["project", "provider"], set_=values)
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    async def get_provider_key(self, project: str, provider: str) -> str | None:
        p = t.provider_keys.c
        stmt = sa.select(p.ciphertext).where(p.project == project, p.provider == provider)
        async with self.engine.connect() as conn:
            token = (await conn.execute(stmt)).scalar_one_or_none()
        return None if token is None else self._box.decrypt(project, provider, token)

    async def list_provider_keys(self, project: str) -> list[tuple[str, str]]:
        p = t.provider_keys.c
        stmt = sa.select(p.provider, p.masked).where(p.project == project).order_by(p.provider)
        async with self.engine.connect() as conn:
            return [(row.provider, row.masked) for row in await conn.execute(stmt)]

    async def delete_provider_key(self, project: str, provider: str) -> bool:
        p = t.provider_keys.c
        stmt = sa.delete(t.provider_keys).where(p.project == project, p.provider == provider)
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    # bench results
    async def write_bench_results(self, results: Sequence[BenchResult]) -> None:
        if not results:
            return
        async with self.engine.begin() as conn:
            await conn.execute(t.bench_results.insert(), [_row(r, _BENCH_FIELDS) for r in results])

    async def list_bench_results(
        self, *, run_id: str | None = None, suite: str | None = None, model: str | None = None
    ) -> list[BenchResult]:
        b = t.bench_results.c
        stmt = sa.select(*(b[name] for name in _BENCH_FIELDS)).order_by(b.id)
        if run_id is not None:
            stmt = stmt.where(b.run_id == run_id)
        if suite is not None:
            stmt = stmt.where(b.suite == suite)
        if model is not None:
            stmt = stmt.where(b.model == model)
        async with self.engine.connect() as conn:
            return [BenchResult(**m) for m in (await conn.execute(stmt)).mappings()]

    # project settings
    async def get_project_settings(self, project: str) -> dict[str, Any] | None:
        stmt = sa.select(t.project_settings.c.json).where(t.project_settings.c.project == project)
        async with self.engine.connect() as conn:
            value = (await conn.execute(stmt)).scalar_one_or_none()
        return None if value is None else dict(value)

    async def set_project_settings(self, project: str, values: dict[str, Any], *, actor: str = "") -> None:
        now = datetime.now(UTC)
        upsert = (
            self._insert(t.project_settings)
            .values(project=project, json=values, updated_at=now)
            .on_conflict_do_update(index_elements=["project"], set_={"json": values, "updated_at": now})
        )
        async with self.engine.begin() as conn:
            await conn.execute(upsert)
            await conn.execute(
                t.settings_changes.insert().values(time=now, project=project, actor=actor, json=values)
            )

    async def list_settings_changes(
        self, *, project: str | None = None, limit: int = 100
    ) -> list[SettingsChange]:
        s = t.settings_changes.c
        stmt = sa.select(t.settings_changes).order_by(s.time.desc(), s.id.desc()).limit(limit)
        if project is not None:
            stmt = stmt.where(s.project == project)
        async with self.engine.connect() as conn:
            return [
                SettingsChange(time=m["time"], project=m["project"], actor=m["actor"], values=dict(m["json"]))
                for m in (await conn.execute(stmt)).mappings()
            ]
