"""Test-wide fixtures: every test gets its own data dir, so nothing touches the user's files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "benchroute-home"
    home.mkdir()
    monkeypatch.setenv("BENCHROUTE_HOME", str(home))
    monkeypatch.delenv("BENCHROUTE_CONFIG", raising=False)
    yield home


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"../shared/data not found at {SHARED_DATA}; the tests need it beside the repo")
    return SHARED_DATA
