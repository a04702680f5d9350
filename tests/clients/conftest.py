"""Real-client fixtures. The gateway harness is shared with tests/gateway_dialects (conftest
modules are not importable, so its folder goes on sys.path here)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway_dialects"))

CLIENTS_DIR = Path(os.environ.get("BENCHROUTE_CLIENTS_DIR", Path.home() / ".cache" / "benchroute-clients"))


def _client_binary(name: str) -> Path:
    path = CLIENTS_DIR / "node_modules" / ".bin" / name
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: run scripts/setup.d/40-clients.sh")
    return path


@pytest.fixture
def kilo_bin() -> Path:
    return _client_binary("kilo")


@pytest.fixture
def codex_bin() -> Path:
    return _client_binary("codex")
