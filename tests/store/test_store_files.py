"""The store's files on disk are owner-only (0600): the SQLite database (and its -wal/-shm files),
the spill file of usage records waiting for the database, the server secret."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

from benchroute.store import spill
from benchroute.store.base import UsageRecord
from benchroute.store.sql import SqlStore


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_sqlite_database_and_its_journal_files_are_0600(tmp_path: Path) -> None:
    db = tmp_path / "data" / "benchroute.db"
    store = SqlStore(f"sqlite:///{db}")
    await store.start()
    try:
        await store.create_key("p", name="k")
        files = [p for p in db.parent.iterdir() if p.name.startswith("benchroute.db")]
        assert db in files
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        await store.close()


async def test_an_existing_world_readable_database_is_made_0600(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    store = SqlStore(f"sqlite:///{db}")
    await store.start()
    await store.close()
    assert _mode(db) == 0o600


def test_spill_files_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "spill.jsonl"
    record = UsageRecord(
        id="r1", time=datetime(2026, 1, 1, tzinfo=UTC), project="p", key_id="k", session_key=None,
        client_name=None, client_version=None, api_kind="chat", requested_model="m", tier="t",
        routed_model="m", provider="up", prompt_tokens=1, completion_tokens=1, cost_usd=0.0,
    )  # fmt: skip
    spill.append(path, [record])
    assert _mode(path) == 0o600
