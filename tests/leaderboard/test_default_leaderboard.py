"""The shipped leaderboard: real public results, provenance on every measured cell, fitted
estimates with intervals, only catalog ids, nothing from general-knowledge or maths results."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from benchroute.catalog.loader import load_catalog
from benchroute.routing.evidence import load_default_snapshot, load_snapshot, split_variant
from benchroute.routing.policy import CODING_CELLS, PolicyTable
from benchroute.routing.tiers import evidence_defaults

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src" / "benchroute" / "data" / "leaderboard.json"
SOURCES = ("openhands_index", "gso_bench", "terminal_bench_2", "aider_leaderboards")


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_leaderboard", ROOT / "scripts" / "build_leaderboard.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_leaderboard"] = module
    spec.loader.exec_module(module)
    return module


def test_every_cell_has_an_estimate_inside_its_interval_and_provenance_when_measured() -> None:
    snap = load_default_snapshot()
    assert len(snap.models()) >= 60
    for s in snap:
        assert s.cell in CODING_CELLS, s.cell  # no `general` evidence at all
        assert s.estimate is not None and s.low is not None and s.high is not None
        assert 0.0 <= s.low <= s.estimate <= s.high <= 1.0, s
        assert s.agent_low is not None and s.agent_high is not None
        assert s.agent_low <= (s.agent_estimate or 0.0) <= s.agent_high
        assert 0 <= s.successes <= s.trials
        if s.trials:
            assert s.sources, s
        text = " ".join(s.sources).lower()
        assert not any(w in text for w in ("mmlu", "gsm8k", "arc_challenge", "winogrande", "llmrouter")), (
            s.sources
        )


def test_a_measured_route_has_a_narrower_interval_than_an_unmeasured_one() -> None:
    snap = load_default_snapshot()
    debug = snap.get("openai/gpt-5.5", "debug:medium")
    plan = snap.get("openai/gpt-5.5", "plan:medium")
    assert debug is not None and plan is not None
    assert debug.trials >= 500 and plan.trials == 0
    assert (debug.agent_high or 0) - (debug.agent_low or 0) < (plan.agent_high or 0) - (plan.agent_low or 0)


def test_only_catalog_ids_and_tier_defaults_have_evidence() -> None:
    snap = load_default_snapshot()
    catalog = load_catalog()
    assert {split_variant(m)[0] for m in snap.models()} <= set(catalog.ids())
    defaults = evidence_defaults(PolicyTable(snap, catalog))
    for ranking in [*defaults.balanced.values(), *defaults.frontier.values()]:
        assert ranking, defaults
        assert any(s.trials for s in snap.for_model(ranking[0])), ranking[0]
    stale = {"anthropic/claude-opus-4-20250514", "anthropic/claude-3-5-haiku-20241022"}
    assert not stale & {r[0] for r in [*defaults.balanced.values(), *defaults.frontier.values()]}


def test_known_numbers_from_the_sources() -> None:
    snap = load_default_snapshot()
    gpt55 = snap.get("openai/gpt-5.5", "debug:hard")
    assert gpt55 is not None
    assert any("openhands:swe-bench GPT-5.5 score=78.2 n=500" in src for src in gpt55.sources)
    tb = snap.get("openai/gpt-5", "command:medium")
    assert tb is not None and tb.trials == 89
    assert tb.successes == pytest.approx(0.3517 * 89, abs=1e-3)  # terminus-2 accuracy 35.17
    polyglot = snap.get("openai/gpt-5", "implement:medium")
    assert polyglot is not None and any("aider:polyglot" in src and "86.7" in src for src in polyglot.sources)


def test_no_source_under_a_non_commercial_license(shared_data: Path) -> None:
    for folder in SOURCES:
        text = (shared_data / folder / "SOURCE.txt").read_text().lower()
        assert "non-commercial" not in text and "noncommercial" not in text and "cc-by-nc" not in text


def test_build_is_deterministic_and_matches_the_shipped_file(shared_data: Path, tmp_path: Path) -> None:
    build = _build_module()
    out = tmp_path / "a.json"
    assert build.main(["--data", str(shared_data), "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
    assert load_snapshot(out).cells == load_default_snapshot().cells


def test_load_snapshot_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_snapshot(tmp_path / "nope.json")
