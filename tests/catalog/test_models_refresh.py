"""`benchroute models refresh` rebuilds the catalog from the installed genai-prices."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from benchroute.catalog.build import generated_entries
from benchroute.catalog.loader import load_catalog, read_catalog_file, read_key_env, shipped_catalog_path
from benchroute.cli.main import cli


def test_refresh_writes_a_loadable_catalog_with_every_current_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in read_key_env(shipped_catalog_path()).values():
        monkeypatch.delenv(var, raising=False)  # no provider lists are fetched
    out = tmp_path / "catalog.toml"
    result = CliRunner().invoke(cli, ["models", "refresh", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ids = {m.id for m in read_catalog_file(out)}
    assert {e.id for e in generated_entries()} <= ids
    assert {m.id for m in load_catalog()} <= ids
    assert read_key_env(out)["anthropic"] == "ANTHROPIC_API_KEY"
    assert load_catalog(path=out).get("anthropic/claude-opus-4-8") is not None


def test_models_still_lists_the_catalog() -> None:
    result = CliRunner().invoke(cli, ["models", "--provider", "anthropic", "--json"], catch_exceptions=False)
    assert result.exit_code == 0 and "claude-sonnet-4-6" in result.output
