"""Migrations apply from empty on SQLite and PostgreSQL, are idempotent, build the indexes and exactly
the schema `store/schema.py` describes, and keep the rows of an older database."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from benchroute.store import migrate, schema
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


def _schema_drift(conn: sa.Connection) -> list[Any]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
    return list(compare_metadata(ctx, schema.metadata))


async def _check_matches_schema_module(store: SqlStore) -> None:
    await store.start()
    async with store.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []


async def test_sqlite_migrations_build_what_schema_py_describes(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'drift.db'}")
    try:
        await _check_matches_schema_module(store)
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgres_migrations_build_what_schema_py_describes(pg_url: str, pg_schema: str) -> None:
    store = SqlStore(pg_url, schema=pg_schema)
    try:
        await _check_matches_schema_module(store)
    finally:
        await store.close()


_LEGACY_REASON = 'no answer ⟦agent {"driver":"builtin","driver_version":"1","turns":2}⟧'


async def _upgrade_keeps_bench_rows(store: SqlStore) -> None:
    """A bench result written at 0001 (agent statistics at the end of `reason`) survives the upgrade
    to head (0003 adds `agent_stats`) as it was, with no `agent_stats`; new rows carry the column."""
    await store.upgrade("0001")
    columns = "run_id, suite, task_id, model, provider, task_type, difficulty, score, passed, "
    columns += "prompt_tokens, completion_tokens, cost_usd, latency_ms, time, checker, reason, source"
    async with store.engine.begin() as conn:
        await conn.execute(
            sa.text(
                f"INSERT INTO bench_results ({columns}) VALUES ('old', 'agent.builtin', 't', 'm', 'p', "
                "'debug', 'easy', 0, false, 1, 2, 0.5, 3.0, '2026-11-30 10:00:00', 'agent:tests', :r, 's')"
            ),
            {"r": _LEGACY_REASON},
        )
    await store.upgrade()
    assert await store.current_revision() == migrate.head_revision()
    [old] = await store.list_bench_results(run_id="old")
    assert (old.reason, old.agent_stats, old.passed) == (_LEGACY_REASON, None, False)
    new = replace(old, run_id="new", reason="no answer", agent_stats={"turns": 2})
    await store.write_bench_results([new])
    [new] = await store.list_bench_results(run_id="new")
    assert new.agent_stats == {"turns": 2}


async def test_sqlite_upgrade_keeps_old_bench_rows(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        await _upgrade_keeps_bench_rows(store)
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgres_upgrade_keeps_old_bench_rows(pg_url: str, pg_schema: str) -> None:
    store = SqlStore(pg_url, schema=pg_schema)
    try:
        await _upgrade_keeps_bench_rows(store)
    finally:
        await store.close()
