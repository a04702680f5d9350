"""Run the store's Alembic migrations programmatically on an open (async) engine.

Migrations are append-only: a new revision in `migrations/versions/`, never an edit of an old one.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant: serialises concurrent `upgrade` runs of several gateway processes on PostgreSQL.
_PG_LOCK_ID = 0x62656E6368
# Execution option read by the SQLite engine's "begin" hook: "IMMEDIATE" takes the write lock at
# BEGIN, so concurrent upgrades of one SQLite file run one after the other.
SQLITE_BEGIN_OPTION = "benchroute_sqlite_begin"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection: Connection, revision: str, schema: str | None) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        if schema:  # under the lock: concurrent CREATE SCHEMA IF NOT EXISTS can still collide
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head", *, schema: str | None = None) -> None:
    """Upgrade to `revision`; `schema` (PostgreSQL, already validated) is created first if missing."""
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        async with conn.begin():
            await conn.run_sync(_upgrade, revision, schema)


async def current(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)
