"""open_store picks the backend from the URL; store URLs map to the async drivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchroute.settings import Settings
from benchroute.store.errors import StoreError
from benchroute.store.factory import open_store, started_store
from benchroute.store.memory import MemoryStore
from benchroute.store.sql import SqlStore
from benchroute.store.urls import async_url, backend_of, redact, sqlite_path


def test_url_mapping() -> None:
    assert async_url("sqlite:////var/db/b.db") == "sqlite+aiosqlite:////var/db/b.db"
    assert async_url("sqlite+aiosqlite:///rel.db") == "sqlite+aiosqlite:///rel.db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgresql+asyncpg://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert backend_of("memory://") == "memory"
    assert sqlite_path("sqlite:////var/db/b.db") == Path("/var/db/b.db")
    assert sqlite_path("sqlite:///rel.db") == Path("rel.db")
    assert sqlite_path("sqlite:///:memory:") is None
    assert redact("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    with pytest.raises(StoreError, match="unsupported"):
        backend_of("mysql://h/db")
    with pytest.raises(StoreError, match="scheme"):
        async_url("/just/a/path.db")


async def test_default_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = open_store(settings)
    assert isinstance(store, SqlStore)
    async with started_store(settings) as started:
        _, secret = await started.create_key("p")
        assert await started.verify_key(secret) is not None
    assert (tmp_path / "benchroute.db").is_file()
    assert (tmp_path / "server-secret").is_file()


async def test_memory_url(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, store={"url": "memory://"})
    assert isinstance(open_store(settings), MemoryStore)


async def test_byok_survives_a_restart_with_the_generated_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    async with started_store(settings) as store:
        await store.set_provider_key("p", "openai", "sk-test-1234567890")
    async with started_store(Settings(data_dir=tmp_path)) as store:
        assert await store.get_provider_key("p", "openai") == "sk-test-1234567890"
