"""`benchroute route`: the Decision and why, as a table or JSON."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from benchroute.cli.main import cli
from benchroute.routing.textclf import default_path

HAS_CLASSIFIER = (default_path() / "meta.json").is_file()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def shipped_default(tier: str, key: str) -> str:
    """The evidence-derived default of the shipped catalog and leaderboard (routing/tiers.py)."""
    from benchroute.catalog.loader import load_catalog
    from benchroute.routing.evidence import load_default_snapshot, split_variant
    from benchroute.routing.policy import PolicyTable
    from benchroute.routing.tiers import evidence_defaults

    defaults = evidence_defaults(PolicyTable(load_default_snapshot(), load_catalog()))
    ranking = defaults.frontier if tier == "frontier" else defaults.balanced
    return split_variant(ranking[key][0])[0]


def test_frontier_by_mode_as_json() -> None:
    out = orjson.loads(
        run("route", "Plan the move to OAuth2", "--tier", "frontier", "--mode", "plan", "--json")
    )
    assert out["model"] == shipped_default("frontier", "reasoning")
    assert out["reason"] == "frontier_reasoning"
    assert out["tier"] == "auto/frontier"


def test_balanced_per_api_kind_table() -> None:
    out = run("route", "hello", "--tier", "balanced", "--api", "messages")
    assert out.startswith(shipped_default("balanced", "messages") + " ")
    assert "reason balanced" in out


def test_config_changes_the_decision(tmp_path: Path) -> None:
    config = tmp_path / "benchroute.toml"
    config.write_text('[tiers]\nbalanced = { chat = "openai/gpt-4o-mini" }\n')
    out = orjson.loads(run("--config", str(config), "route", "hi", "--tier", "kilo/auto", "--json"))
    assert out["model"] == "openai/gpt-4o-mini"


def test_unknown_model_is_a_clean_error() -> None:
    result = CliRunner().invoke(cli, ["route", "hi", "--tier", "nope/nothing"])
    assert result.exit_code != 0
    assert "unknown model" in result.output


@pytest.mark.skipif(not HAS_CLASSIFIER, reason="the shipped classifier artifact is not built yet")
def test_efficient_prints_candidates_and_the_bar() -> None:
    out = run("route", "Write a Python function that merges two sorted lists", "--dial", "0")
    assert "candidates" in out
    assert "A(m)" in out
    data = orjson.loads(run("route", "Write a Python function that merges two sorted lists", "--json"))
    assert data["tier"] == "auto/efficient"
    assert data["candidates"]
    assert data["reason"] in ("cheapest_above_bar", "best_accuracy", "low_confidence", "no_evidence")


@pytest.mark.skipif(not HAS_CLASSIFIER, reason="the shipped classifier artifact is not built yet")
def test_the_table_marks_the_bar_on_the_lower_end_the_rule_uses() -> None:
    prompt = "Refactor this Python module into smaller functions and keep the tests passing"
    data = orjson.loads(run("route", prompt, "--dial", "0.5", "--json"))
    assert data["bar"] is not None
    marked = [c for c in data["candidates"] if c["eligible"] and c["low"] >= data["bar"] - 1e-9]
    point_only = [
        c for c in data["candidates"] if c["eligible"] and c["expected_accuracy"] >= data["bar"] > c["low"]
    ]
    assert marked and point_only  # the two scales disagree on this request: the mark must follow L
    out = run("route", prompt, "--dial", "0.5")
    assert out.count("L ≥ bar") == len(marked)


def test_unknown_mode_is_refused_with_the_known_ones() -> None:
    result = CliRunner().invoke(cli, ["route", "hi", "--mode", "nonsense"])
    assert result.exit_code == 2
    assert "'nonsense' is not a known mode" in result.output
    assert "plan, architect, debug" in result.output


def test_mode_is_case_insensitive() -> None:
    out = orjson.loads(run("route", "Plan the move", "--tier", "frontier", "--mode", "PLAN", "--json"))
    assert out["reason"] == "frontier_reasoning"


def test_dash_reads_the_prompt_from_stdin() -> None:
    paste = "def parse(x):\n    return x\n" * 2_000  # a long paste, far past any argv habit
    result = CliRunner().invoke(cli, ["route", "-", "--tier", "balanced", "--json"], input=paste)
    assert result.exit_code == 0, result.output
    piped = orjson.loads(result.output)
    # the prompt routed is the paste, not the literal "-": its estimate is ~ chars / 4
    assert (
        piped["expected_cost"]
        > orjson.loads(run("route", "x", "--tier", "balanced", "--json"))["expected_cost"]
    )


def test_dash_with_empty_stdin_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["route", "-"], input="")
    assert result.exit_code == 2
    assert "stdin is empty" in result.output


def test_candidate_table_labels_the_raw_interval_at_90_percent() -> None:
    result = CliRunner().invoke(
        cli,
        ["route", "why does this raise KeyError? Traceback ...", "--mode", "debug"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "90% CI" in result.output and "95%" not in result.output


def test_the_table_shows_the_top_candidates_and_always_the_chosen_model() -> None:
    args = ["route", "why does this raise KeyError? Traceback ...", "--mode", "debug", "--dial", "0"]
    decision = orjson.loads(run(*args, "--json"))
    models = [c["model"] for c in decision["candidates"]]
    assert models.index(decision["model"]) >= 2  # at dial 0 the cheapest above the bar is further down

    def rows(output: str) -> list[str]:  # the model column of the table's rows
        cells = [line.split("│")[1] for line in output.splitlines() if line.startswith("│")]
        return [c.replace("→", "").strip() for c in cells if c.strip() and c.strip() != "model"]

    short = run(*args, "--top", "2")
    assert rows(short) == [*models[:2], decision["model"]]
    assert f"and {len(models) - 3} more candidates (--top 0 shows them all)" in short
    everything = run(*args, "--top", "0")
    assert rows(everything) == models and "more candidates" not in everything
