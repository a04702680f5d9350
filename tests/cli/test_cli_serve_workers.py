"""`benchroute serve --workers N`: refused, with what to configure, when state lives in one
process (SQLite, in-memory sessions and limits) or an earlier run left records for a worker that
would not start. (The workers themselves: tests/reliability/test_workers.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from benchroute.cli.main import cli
from benchroute.cli.workers import unreplayed, worker_problems, worker_settings
from benchroute.settings import Settings


def _config(tmp_path: Path, store: str = "") -> list[str]:
    path = tmp_path / "c.toml"
    path.write_text(f"[server]\ndiscover_local = false\nport = 1\n{store}")
    return ["--config", str(path)]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCHROUTE_DATA_DIR", str(tmp_path / "data"))


def test_more_than_one_worker_on_sqlite_and_memory_is_refused_naming_both_settings(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [*_config(tmp_path), "serve", "--workers", "2"])
    assert result.exit_code == 1, result.output
    assert "--workers 2 needs state shared between processes" in result.output
    assert "store.url" in result.output and "SQLite" in result.output
    assert "store.redis_url" in result.output and "sessions, rate limits" in result.output
    assert not (tmp_path / "data" / "benchroute.db").exists()  # refused before touching anything


def test_redis_alone_is_not_enough(tmp_path: Path) -> None:
    store = '[store]\nredis_url = "redis://127.0.0.1:6379/0"\n'
    result = CliRunner().invoke(cli, [*_config(tmp_path, store), "serve", "--workers", "3"])
    assert result.exit_code == 1, result.output
    assert "store.url" in result.output and "store.redis_url" not in result.output


def test_zero_workers_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [*_config(tmp_path), "serve", "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.output


def test_shared_state_settings_have_no_problems_and_each_worker_its_own_data_dir(tmp_path: Path) -> None:
    settings = Settings(
        store={"url": "postgresql+asyncpg://u@h/db", "redis_url": "redis://h:6379/0"}, data_dir=tmp_path
    )
    assert worker_problems(settings) == []
    one, two = (worker_settings(settings, i, "s3cret") for i in (0, 1))
    assert (one.data_dir, two.data_dir) == (tmp_path / "workers" / "0", tmp_path / "workers" / "1")
    assert one.server.secret == two.server.secret == "s3cret"
    assert one.store_url == settings.store_url and one.server.port == settings.server.port


def test_records_left_for_a_higher_numbered_worker_refuse_a_smaller_count(tmp_path: Path) -> None:
    settings = Settings(
        store={"url": "postgresql+asyncpg://u@h/db", "redis_url": "redis://h:6379/0"}, data_dir=tmp_path
    )
    for i in range(4):
        (tmp_path / "workers" / str(i) / "usage-wal").mkdir(parents=True)
    (tmp_path / "workers" / "1" / "usage-wal" / "wal-1-00000001.jsonl").write_text("{}\n")
    (tmp_path / "workers" / "3" / "usage-spill.jsonl").write_text("{}\n")
    assert unreplayed(settings, 4) == []
    assert unreplayed(settings, 2) == [tmp_path / "workers" / "3"]
    assert unreplayed(settings, 1) == [tmp_path / "workers" / "1", tmp_path / "workers" / "3"]
