"""Reasoning-effort token factors: the lookup, the shipped file and the script that builds it."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import MappingProxyType, ModuleType

import pytest

from benchroute.catalog.effort import EffortFactors, family, load_default_effort
from benchroute.catalog.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src" / "benchroute" / "data" / "effort_tokens.json"


def _build_module() -> ModuleType:
    path = ROOT / "scripts" / "build_effort_tokens.py"
    spec = importlib.util.spec_from_file_location("build_effort_tokens", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_effort_tokens"] = module
    spec.loader.exec_module(module)
    return module


def _factors(**families: dict[str, float]) -> EffortFactors:
    return EffortFactors(MappingProxyType({k: MappingProxyType(v) for k, v in families.items()}))


def test_family_is_the_vendor_also_behind_openrouter() -> None:
    assert family("openai/gpt-5.4") == "openai"
    assert family("openrouter/anthropic/claude-opus-4.5") == "anthropic"
    assert family("openrouter/auto") == "openrouter"
    assert family("local") == "local"


def test_factor_lookup_own_family_then_any_then_one() -> None:
    f = _factors(openai={"high": 1.8}, **{"*": {"high": 1.5, "max": 3.0}})
    assert f.factor("openai/gpt-5.4", None) == 1.0  # the base model
    assert f.factor("openai/gpt-5.4", "high") == 1.8
    assert f.factor("openrouter/openai/gpt-5", "high") == 1.8
    assert f.factor("google/gemini-3-pro", "high") == 1.5  # no google table: the "*" ladder
    assert f.factor("openai/gpt-5.4", "max") == 3.0  # not on openai's ladder: the "*" one
    assert f.factor("openai/gpt-5.4", "turbo") == 1.0  # an effort nobody measured
    assert EffortFactors().factor("openai/gpt-5.4", "xhigh") == 1.0  # no table: as the base


def test_from_json_rejects_other_files_and_non_positive_factors() -> None:
    with pytest.raises(ValueError, match="not a benchroute effort table"):
        EffortFactors.from_json(b'{"format": "benchroute-leaderboard/1"}')
    with pytest.raises(ValueError, match="not a benchroute effort table"):
        EffortFactors.from_json(b"[]")
    bad = {"format": "benchroute-effort/1", "families": {"x": {"factors": {"high": 0.0}}}}
    with pytest.raises(ValueError, match="positive"):
        EffortFactors.from_json(json.dumps(bad))


def test_shipped_ladders_rise_with_effort_around_the_documented_base() -> None:
    f = load_default_effort()
    openai = [f.factor("openai/gpt-5.4", e) for e in ("none", "minimal", "low", "medium", "high", "xhigh")]
    assert openai == sorted(openai) and openai[3] == 1.0  # base = medium
    assert openai[2] < 1.0 < openai[4] < openai[5]
    anthropic = [f.factor("anthropic/claude-opus-4-6", e) for e in ("none", "low", "medium", "high", "max")]
    assert anthropic == sorted(anthropic) and anthropic[0] == 1.0  # base = no extended thinking
    assert anthropic[3] > 1.5
    assert f.factor("google/gemini-3.1-pro-preview", "high") == f.factor("openai/gpt-5", "high")


def test_measured_factors_are_the_median_of_their_public_pairs() -> None:
    doc = json.loads(SHIPPED.read_text())
    pairs = doc["pairs"]
    for fam, effort in (("openai", "low"), ("openai", "high"), ("anthropic", "high")):
        logs = sorted(math.log(p["ratio"]) for p in pairs if (p["family"], p["effort"]) == (fam, effort))
        assert logs, (fam, effort)
        mid = logs[len(logs) // 2] if len(logs) % 2 else (logs[len(logs) // 2 - 1] + logs[len(logs) // 2]) / 2
        assert doc["families"][fam]["factors"][effort] == pytest.approx(math.exp(mid), abs=5e-4)
        assert "measured" in doc["families"][fam]["how"][effort]
    # gpt-5 on Aider polyglot: 779,568 / 1,468,799 / 2,623,429 completion tokens at low / medium / high
    gpt5 = {p["effort"]: p for p in pairs if p["model"] == "gpt-5"}
    tokens = (gpt5["low"]["base"], gpt5["low"]["variant"], gpt5["high"]["variant"])
    assert tokens == (1468799, 779568, 2623429)
    for fam, effort in (("openai", "xhigh"), ("openai", "minimal"), ("anthropic", "max")):
        assert doc["families"][fam]["how"][effort].startswith("extrapolated")


def test_load_catalog_carries_the_shipped_factors() -> None:
    catalog = load_catalog()
    assert catalog.effort == load_default_effort()
    factor = catalog.effort.factor
    assert factor("openai/gpt-5.4", "xhigh") > factor("openai/gpt-5.4", "high") > 1


def test_build_is_deterministic_and_matches_the_shipped_file(shared_data: Path, tmp_path: Path) -> None:
    build = _build_module()
    out = tmp_path / "effort.json"
    assert build.main(["--data", str(shared_data), "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
    text = (shared_data / "aider_leaderboards" / "SOURCE.txt").read_text().lower()
    assert "apache-2.0" in text and "non-commercial" not in text
