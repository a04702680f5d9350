"""`benchroute bench` and `benchroute leaderboard` end to end: a fake provider from config,
a SQLite store, the shipped smoke suite, real checkers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchroute.cli.main import cli


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "benchroute.toml"
    db = tmp_path / "data" / "bench.db"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n\n[store]\nurl = "sqlite:///{db}"\n\n'
        '[providers.fk]\nkind = "fake"\nbase_url = "http://127.0.0.1:9"\n\n'
        '[[models]]\nid = "fk/echo"\nprovider = "fk"\nupstream_id = "echo"\n'
        "input_price = 1.0\noutput_price = 2.0\n"
    )
    return path


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], obj={}, catch_exceptions=False)


def test_bench_suites_lists_shipped_suites() -> None:
    result = CliRunner().invoke(cli, ["bench", "suites", "--json"], obj={})
    assert result.exit_code == 0, result.output
    rows = {r["suite"]: r for r in json.loads(result.output)}
    assert rows["humaneval"]["task_types"] == {"implement": 164}
    assert rows["arena_hard"]["checkers"] == {"judge": 100}


def test_bench_run_resume_and_leaderboard(config: Path, tmp_path: Path) -> None:
    args = ("bench", "run", "--suite", "smoke", "--models", "fk/echo", "--run-id", "cli-1", "--no-progress")
    first = invoke(config, *args)
    assert first.exit_code == 0, first.output
    assert "run cli-1: 22 scored" in first.output
    # the echo model answers with the prompt: it passes nothing
    assert "0 passed (0.0%)" in first.output

    again = invoke(config, *args)
    assert "run cli-1: 0 scored" in again.output and "22 already done" in again.output

    results = invoke(config, "bench", "results", "--run-id", "cli-1", "--failures")
    assert "fk/echo" in results.output and "0/22 passed" in results.output

    board = invoke(config, "leaderboard", "--format", "json", "--no-default")
    doc = json.loads(board.output)
    mine = [c for c in doc["cells"] if c["model"] == "fk/echo"]
    assert sum(c["trials"] for c in mine) == 22
    assert all(c["sources"] == ["bench:smoke"] for c in mine)

    out = tmp_path / "site"
    published = invoke(config, "leaderboard", "--out", str(out), "--no-default")
    assert published.exit_code == 0
    assert "fk/echo" in (out / "index.html").read_text()


def test_bench_run_rejects_unknown_models(config: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "bench", "run", "--suite", "smoke", "--models", "nope/x"], obj={}
    )
    assert result.exit_code != 0
    assert "not in the catalog" in result.output
