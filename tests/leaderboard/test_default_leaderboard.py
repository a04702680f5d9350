"""The shipped leaderboard: real public results, provenance on every cell, only catalog ids."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from benchroute.catalog.loader import load_catalog
from benchroute.leaderboard.loader import load_default_snapshot, load_snapshot
from benchroute.routing.taxonomy import ALL_CELLS
from benchroute.routing.tiers import DEFAULT_BALANCED, DEFAULT_FRONTIER

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src" / "benchroute" / "data" / "leaderboard.json"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_leaderboard", ROOT / "scripts" / "build_leaderboard.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_leaderboard"] = module
    spec.loader.exec_module(module)
    return module


def test_every_cell_has_provenance_and_sane_numbers() -> None:
    snap = load_default_snapshot()
    assert len(snap.cells) >= 50
    for s in snap:
        assert s.sources, s
        assert all(src.strip() for src in s.sources)
        assert s.cell in ALL_CELLS, s.cell
        assert s.trials >= 10
        assert 0 <= s.successes <= s.trials
        assert s.last_run


def test_only_catalog_ids_and_tier_defaults_have_evidence() -> None:
    snap = load_default_snapshot()
    catalog = load_catalog()
    assert set(snap.models()) <= set(catalog.ids())
    for model in [*DEFAULT_BALANCED.values(), *DEFAULT_FRONTIER.values()]:
        assert model in catalog
        assert snap.for_model(model), f"tier default {model} has no evidence"


def test_known_numbers_from_the_aider_polyglot_leaderboard() -> None:
    snap = load_default_snapshot()
    gpt5 = snap.get("openai/gpt-5", "implement:hard")
    assert gpt5 is not None
    assert gpt5.trials == 225
    assert gpt5.accuracy == pytest.approx(0.867)  # pass_rate_2 86.7 (gpt-5, medium effort)
    assert gpt5.mean_cost == pytest.approx(17.693 / 225, rel=1e-6)
    assert any("aider:polyglot" in src for src in gpt5.sources)
    assert snap.get("openai/gpt-5", "debug:hard") is None  # no evidence: absent, never invented


def test_build_is_deterministic_and_matches_the_shipped_file(shared_data: Path, tmp_path: Path) -> None:
    build = _build_module()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert build.main(["--data", str(shared_data), "--out", str(a)]) == 0
    assert build.main(["--data", str(shared_data), "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == SHIPPED.read_bytes()
    assert load_snapshot(a).cells == load_default_snapshot().cells


def test_outcome_matrix_difficulty_split(shared_data: Path) -> None:
    build = _build_module()
    snap, _ = build.build(shared_data, None)
    qwen_easy = snap.get("openrouter/qwen/qwen-2.5-7b-instruct", "implement:easy")
    qwen_medium = snap.get("openrouter/qwen/qwen-2.5-7b-instruct", "implement:medium")
    assert qwen_easy is not None and qwen_medium is not None
    # MBPP + HumanEval prompts (548 + 214 = 762) split by the share of the 9 models solving them.
    assert qwen_easy.trials + qwen_medium.trials == 762
    assert qwen_easy.accuracy > qwen_medium.accuracy


def test_load_snapshot_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_snapshot(tmp_path / "nope.json")
