"""`SqlStore`: the `Store` on SQLAlchemy Core (async), SQLite (aiosqlite) or PostgreSQL (asyncpg).

`start()` applies the Alembic migrations (idempotent). Usage and decision writes are idempotent on
the record id (insert-or-ignore), so the writer can retry and replay without double counting.

One part per concern, over the engine this class owns: `sql_usage`, `sql_decisions`, `sql_keys`
(gateway keys), `sql_provider_keys` (BYOK), `sql_bench` (bench results), `sql_settings` (project
settings); the engine and its SQLite setup are in `sql_engine`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from benchroute.store import migrate
from benchroute.store import schema as t
from benchroute.store.base import DecisionRecord, UsageRecord
from benchroute.store.crypto import KeyBox
from benchroute.store.errors import StoreError
from benchroute.store.query import USAGE_FIELDS
from benchroute.store.sql_bench import SqlBench
from benchroute.store.sql_decisions import DECISION_FIELDS, SqlDecisions
from benchroute.store.sql_engine import SQLITE_BUSY_TIMEOUT_MS, create_engine
from benchroute.store.sql_keys import SqlKeys
from benchroute.store.sql_provider_keys import SqlProviderKeys
from benchroute.store.sql_settings import SqlSettings
from benchroute.store.sql_usage import SqlUsage
from benchroute.store.sqlite_writes import PreparedInsert, SqliteInserter
from benchroute.store.urls import backend_of, redact, sqlite_path

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class SqlStore(SqlUsage, SqlDecisions, SqlKeys, SqlProviderKeys, SqlBench, SqlSettings):
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
            self._engine = create_engine(self._url, schema=self._schema)
        return self._engine

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

    async def write_batch(self, usage: Sequence[UsageRecord], decisions: Sequence[DecisionRecord]) -> None:
        """On an SQLite file: both inserts in one transaction, one hand-off to the insert thread."""
        fast_decisions = self._fast_insert(t.decisions, DECISION_FIELDS)
        fast_usage = self._fast_insert(t.usage, USAGE_FIELDS)
        if fast_decisions is None or fast_usage is None:
            await self.write_decisions(decisions)
            await self.write_usage(usage)
            return
        inserts: list[tuple[PreparedInsert, Sequence[Any]]] = []
        if decisions:
            inserts.append((fast_decisions[1], decisions))
        if usage:
            inserts.append((fast_usage[1], usage))
        if inserts:
            await fast_usage[0].run(*inserts)

    def _fast_insert(
        self, table: sa.Table, names: Sequence[str]
    ) -> tuple[SqliteInserter, PreparedInsert] | None:
        """The direct path for inserts into an SQLite file (None for other databases)."""
        insert = self._inserts.get(table.name)
        if insert is not None and self._inserter is not None:
            return self._inserter, insert  # every batch after the first (the URL is parsed once)
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
