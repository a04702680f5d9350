"""Test-wide fixtures: every test gets its own data dir, so nothing touches the user's files.

Public data: tests that need the full public datasets take the `shared_data` fixture; they run when
`../shared/data` (or `BENCHROUTE_SHARED_DATA`) is present and, when it is not, are deselected and
reported once at the end of the run with the reason. Tests that can run on small committed slices
take `public_data`: the full data when present, else `tests/data` (built by
scripts/build_test_fixtures.py, provenance in tests/data/PROVENANCE.json).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from public_data import FIXTURE_DATA, SHARED_DATA

_NOT_RUN = pytest.StashKey[list[str]]()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "benchroute-home"
    home.mkdir()
    monkeypatch.setenv("BENCHROUTE_HOME", str(home))
    monkeypatch.delenv("BENCHROUTE_CONFIG", raising=False)
    yield home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"../shared/data not found at {SHARED_DATA}; the tests need it beside the repo")
    return SHARED_DATA


@pytest.fixture
def public_data() -> Path:
    """The full public data when present, else the committed slices in tests/data."""
    return SHARED_DATA if SHARED_DATA.is_dir() else FIXTURE_DATA


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.is_dir():
        return
    needs = [item for item in items if "shared_data" in getattr(item, "fixturenames", ())]
    if not needs:
        return
    items[:] = [item for item in items if item not in needs]
    config.hook.pytest_deselected(items=needs)
    config.stash[_NOT_RUN] = [item.nodeid for item in needs]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    not_run = config.stash.get(_NOT_RUN, [])
    if not not_run:
        return
    terminalreporter.section("not run: full public data missing", sep="-", yellow=True)
    terminalreporter.write_line(
        f"{len(not_run)} tests need the full public data, which is not at {SHARED_DATA} "
        "(put the shared data beside the repo as ../shared/data, or set BENCHROUTE_SHARED_DATA):"
    )
    for nodeid in not_run:
        terminalreporter.write_line(f"  {nodeid}")
