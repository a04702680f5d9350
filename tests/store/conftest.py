"""Store fixtures: the same tests run on MemoryStore, SQLite (temp file) and PostgreSQL.

PostgreSQL tests use a fresh schema on 127.0.0.1:5432/test, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from benchroute.store import schema
from benchroute.store.base import Store
from benchroute.store.memory import MemoryStore
from benchroute.store.sql import SqlStore

PG_URL = os.environ.get("BENCHROUTE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "test-server-secret"


async def drop_pg_schema(name: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()


def new_pg_schema() -> str:
    return f"br_test_{uuid.uuid4().hex[:12]}"


def _run_apart(fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine on its own loop in a thread: session fixtures may be set up from inside a
    test's running loop (the `store` fixture requests this one lazily)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, fn()).result()


@pytest.fixture(scope="session")
def pg_shared_schema() -> Iterator[str]:
    """One migrated schema for the whole run (migrating per test is the slow part); every test
    empties its tables afterwards, and the schema is dropped at the end."""
    name = new_pg_schema()

    async def migrate() -> None:
        store = SqlStore(PG_URL, schema=name)
        try:
            await store.start()
        finally:
            await store.close()

    _run_apart(migrate)
    yield name
    _run_apart(lambda: drop_pg_schema(name))


async def _empty_tables(store: SqlStore) -> None:
    async with store.engine.begin() as conn:
        names = ", ".join(f'"{table.name}"' for table in schema.metadata.sorted_tables)
        await conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    s: Store
    if request.param == "memory":
        s = MemoryStore(secret=SECRET)
    elif request.param == "sqlite":
        s = SqlStore(f"sqlite:///{tmp_path / 'store.db'}", secret=SECRET)
    else:
        s = SqlStore(PG_URL, secret=SECRET, schema=request.getfixturevalue("pg_shared_schema"))
    await s.start()
    try:
        yield s
    finally:
        if isinstance(s, SqlStore) and request.param == "postgres":
            await _empty_tables(s)
        await s.close()


@pytest.fixture
def pg_url() -> str:
    return PG_URL


@pytest.fixture
async def pg_schema() -> AsyncIterator[str]:
    """A fresh PostgreSQL schema name; the schema (if created) is dropped afterwards."""
    name = new_pg_schema()
    yield name
    await drop_pg_schema(name)
