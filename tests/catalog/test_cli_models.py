"""`benchroute models` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchroute.catalog.loader import load_catalog
from benchroute.cli.main import cli


def test_models_table() -> None:
    result = CliRunner().invoke(cli, ["models"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "openai/gpt-5" in result.output
    assert "anthropic/claude-sonnet-4-20250514" in result.output


def test_models_json_filters() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["models", "--json", "--provider", "anthropic"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {r["provider"] for r in rows} == {"anthropic"}
    assert all(r["input_price"] > 0 for r in rows)

    free = json.loads(runner.invoke(cli, ["models", "--json", "--free"]).output)
    assert free and all(r["free"] for r in free)

    both = json.loads(
        runner.invoke(cli, ["models", "--json", "--capability", "vision", "--capability", "reasoning"]).output
    )
    assert both and all(r["vision"] and r["reasoning"] for r in both)
    assert any(r["id"] == "openai/gpt-5" for r in both)
    assert not any(r["id"] == "openai/gpt-4o" for r in both)


def test_models_reads_config_overrides(tmp_path: Path) -> None:
    config = tmp_path / "benchroute.toml"
    config.write_text(
        '[[models]]\nid = "local/smollm2"\nprovider = "local"\nupstream_id = "smollm2"\ncontext = 2048\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "models", "--json", "--provider", "local"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["id"] == "local/smollm2" and row["context"] == 2048 and row["price_source"] == "config"


def test_models_rejects_unknown_capability() -> None:
    result = CliRunner().invoke(cli, ["models", "--capability", "telepathy"])
    assert result.exit_code != 0


def test_models_fit_80_columns_ids_whole_and_callable_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    result = CliRunner().invoke(cli, ["models"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    marked: dict[str, bool] = {}
    for line in lines[3:]:
        tokens = line.split()
        if tokens and "/" in tokens[tokens[0] == "*"]:
            marked[tokens[tokens[0] == "*"]] = tokens[0] == "*"
    assert "openrouter/mistralai/mistral-small-3.2-24b-instruct:free" in marked  # the longest id, whole
    assert marked["openai/gpt-4.1-mini"] and not marked["anthropic/claude-haiku-4-5"]
    assert len(marked) == len(load_catalog(None))  # every model, one line each
    assert "ANTHROPIC_API_KEY" in result.output


def test_models_csv_has_every_column_and_callable() -> None:
    result = CliRunner().invoke(cli, ["models", "--format", "csv", "--provider", "openai"])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.startswith("id,provider,") and header.endswith("callable,not_callable_because")
    assert rows and all(r.startswith("openai/") for r in rows)
    assert CliRunner().invoke(cli, ["models", "--json", "--format", "csv"]).exit_code != 0
