"""Importers: outcome JSONL -> results, Aider leaderboards (YAML and CSV) -> CellStats."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from benchroute.bench.aggregate import aggregate
from benchroute.bench.importers import aider_stats, import_outcomes, map_model


def test_map_model_uses_the_table_then_the_catalog() -> None:
    mapping = {"claude-3-5-sonnet-20241022": "anthropic/claude-3-5-sonnet"}
    ids = ["openai/gpt-4o-mini-2024-07-18", "deepseek/deepseek-chat"]
    assert map_model("claude-3-5-sonnet-20241022", mapping, ids) == "anthropic/claude-3-5-sonnet"
    assert map_model("gpt-4o-mini-2024-07-18", mapping, ids) == "openai/gpt-4o-mini-2024-07-18"
    assert map_model("openrouter/deepseek/deepseek-chat", mapping, ids) == "deepseek/deepseek-chat"
    assert map_model("o3-mini (high)", {"o3-mini": "openai/o3-mini"}, ids) == "openai/o3-mini"
    assert map_model("unknown-model", mapping, ids) is None


def test_import_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.jsonl"
    rows = [
        {
            "id": "x1",
            "prompt": "…",
            "task_type": "debug",
            "difficulty": "hard",
            "outcomes": {"model-a": {"score": 1.0, "cost": 0.01}, "model-b": {"score": 0.0, "cost": 0.001}},
        },
        {"id": "x2", "prompt": "…", "task_type": None, "outcomes": {"model-a": {"score": 0.0, "cost": 0.02}}},
        {"id": "x3", "prompt": "…", "outcomes": {"model-z": {"score": 1.0}}},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    mapping = {"model-a": "p/a", "model-b": "p/b"}
    results, unmapped = import_outcomes(path, suite="ext", mapping=mapping)
    assert unmapped == {"model-z"}
    assert sorted((r.model, r.task_id, r.passed, r.task_type) for r in results) == [
        ("p/a", "x1", True, "debug"),
        ("p/a", "x2", False, "general"),
        ("p/b", "x1", False, "debug"),
    ]
    stats = {(s.model, s.cell): s for s in aggregate(results)}
    assert stats[("p/a", "debug:hard")].successes == 1
    assert stats[("p/a", "general:medium")].mean_cost == pytest.approx(0.02)


def test_aider_polyglot_yaml_and_csv_agree(public_data: Path) -> None:
    folder = public_data / "aider_leaderboards"
    from_yaml, _ = aider_stats(folder / "polyglot_leaderboard.yml")
    from_csv, _ = aider_stats(folder / "polyglot_leaderboard.csv")
    by_yaml = {s.model: s for s in from_yaml}
    by_csv = {s.model: s for s in from_csv}
    assert by_yaml.keys() == by_csv.keys()
    assert len(by_yaml) > 20
    mini = by_yaml["gpt-4o-mini-2024-07-18"]
    assert mini.cell == "implement:hard"
    assert mini.trials == 225
    assert mini.successes == pytest.approx(by_csv["gpt-4o-mini-2024-07-18"].successes)
    assert 0 < mini.accuracy < 0.2
    assert mini.sources[0].startswith("aider:polyglot_leaderboard 20")


def test_aider_refactor_board_maps_onto_catalog_ids(public_data: Path) -> None:
    stats, unmapped = aider_stats(
        public_data / "aider_leaderboards" / "refactor_leaderboard.csv",
        mapping={"claude-3-opus-20240229": "anthropic/claude-3-opus"},
    )
    assert [s.model for s in stats] == ["anthropic/claude-3-opus"]
    opus = stats[0]
    assert (opus.cell, opus.trials) == ("refactor:hard", 83)
    assert opus.accuracy == pytest.approx(0.723, abs=1e-3)
    assert opus.mean_cost == pytest.approx(27.9176 / 83)
    assert "gemini/gemini-1.5-pro-latest" in unmapped
