"""Migrations apply from empty on SQLite and PostgreSQL, are idempotent, and build the indexes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchroute.store import migrate
from benchroute.store.sql import SqlStore

TABLES = {
    "usage",
    "decisions",
    "gateway_keys",
    "provider_keys",
    "bench_results",
    "settings_changes",
    "project_settings",
    "alembic_version",
}


def _inspect(conn: sa.Connection) -> tuple[set[str], dict[str, list[list[str]]]]:
    insp = sa.inspect(conn)
    tables = set(insp.get_table_names())
    indexes = {t: [list(ix["column_names"]) for ix in insp.get_indexes(t)] for t in ("usage", "decisions")}
    return tables, indexes


async def _check(store: SqlStore) -> None:
    assert await store.current_revision() is None
    await store.start()
    await store.start()  # idempotent
    await store.upgrade()
    assert await store.current_revision() == migrate.head_revision() is not None
    async with store.engine.connect() as conn:
        tables, indexes = await conn.run_sync(_inspect)
    assert TABLES <= tables
    assert ["project", "time"] in indexes["usage"]
    assert ["project", "session_key", "time"] in indexes["decisions"]


async def test_sqlite_from_empty(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'nested' / 'm.db'}")
    try:
        await _check(store)
        async with store.engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
            sync = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar()
            busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
        assert (mode, sync) == ("wal", 1)  # 1 = NORMAL
        assert busy is not None and busy >= 1000
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgres_from_empty_in_its_own_schema(pg_url: str, pg_schema: str) -> None:
    schema = pg_schema
    store = SqlStore(pg_url, schema=schema)
    try:
        await _check(store)
        async with store.engine.connect() as conn:
            where = (await conn.exec_driver_sql("SELECT current_schema()")).scalar()
            n = (
                await conn.execute(
                    sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                    {"s": schema},
                )
            ).scalar()
        assert where == schema and n == len(TABLES)
    finally:
        await store.close()


def test_migrations_ship_inside_the_package() -> None:
    versions = sorted(p.name for p in (migrate.MIGRATIONS / "versions").glob("*.py"))
    assert versions and versions[0].startswith("0001_")
    assert (migrate.MIGRATIONS / "env.py").is_file()


async def _start_together(stores: list[SqlStore]) -> list[str | None]:
    try:
        await asyncio.gather(*(s.start() for s in stores))
        return [await s.current_revision() for s in stores]
    finally:
        for s in stores:
            await s.close()


async def test_concurrent_starts_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    revisions = await _start_together([SqlStore(url) for _ in range(4)])
    assert revisions == [migrate.head_revision()] * 4


@pytest.mark.postgres
async def test_concurrent_starts_on_one_postgres_schema(pg_url: str, pg_schema: str) -> None:
    revisions = await _start_together([SqlStore(pg_url, schema=pg_schema) for _ in range(4)])
    assert revisions == [migrate.head_revision()] * 4
