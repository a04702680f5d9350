"""`benchroute models` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

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
