"""Agent-bench fixtures: the gateway harness of tests/gateway_dialects (conftest modules are not
importable, so its folder goes on sys.path), the Kilo CLI, and tasks from the shipped agent suite."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from benchroute.bench.tasks import Task, load_suite

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway_dialects"))


@pytest.fixture(scope="session")
def agent_suite() -> list[Task]:
    return load_suite("agent")


@pytest.fixture
def kilo_bin() -> Path:
    base = Path(os.environ.get("BENCHROUTE_CLIENTS_DIR", Path.home() / ".cache" / "benchroute-clients"))
    path = base / "node_modules" / ".bin" / "kilo"
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: run scripts/setup.d/40-clients.sh")
    return path
