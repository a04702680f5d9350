"""`benchroute evaluate --router production`: TRAIN becomes evidence as the leaderboard does, and
the gateway's Router routes TEST at each dial."""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from benchroute.cli.main import cli
from benchroute.evaluate.outcomes import Outcome, OutcomeRecord, write_jsonl
from benchroute.evaluate.replay import DIALS, evidence, replay, score_replay
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.fake_classifier import FakeClassifier

CHEAP, STRONG = "v/cheap", "v/strong"
BUG = "fix the crash in the parser"
DOC = "write the docstring for merge"


def records(n: int, seed: int) -> list[OutcomeRecord]:
    """Docs prompts: CHEAP right 97%, STRONG 90%. Bug prompts: STRONG 90%, CHEAP 30%. STRONG costs 20x."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        bug = i % 2 == 0
        cheap = float(rng.random() < (0.3 if bug else 0.97))
        strong = float(rng.random() < 0.9)
        out.append(
            OutcomeRecord(
                f"r{seed}-{i}",
                BUG if bug else DOC,
                {CHEAP: Outcome(cheap, 0.001), STRONG: Outcome(strong, 0.02)},
            )
        )
    return out


def classifier() -> FakeClassifier:
    return FakeClassifier(
        CellPrediction({"docs:easy": 1.0}, 0.95), by_prompt={BUG: CellPrediction({"debug:medium": 1.0}, 0.95)}
    )


def test_train_becomes_fitted_evidence_per_route() -> None:
    snap, obs = evidence(records(200, 1), classifier())
    assert {o.route for o in obs} == {"debug", "docs"}
    strong = snap.get(STRONG, "debug:medium")
    cheap = snap.get(CHEAP, "debug:medium")
    assert strong is not None and cheap is not None and strong.trials == 100
    assert (strong.estimate or 0) > (cheap.estimate or 0)


def test_the_dial_trades_cost_for_quality_on_test() -> None:
    train, test = records(1000, 1), records(200, 2)
    choices = replay(train, test, classifier())
    points = [p for p in score_replay(choices, test)]
    assert [p.cost for p in points] == sorted(p.cost for p in points)
    # docs: CHEAP is proven above the floor (Balanced = STRONG, the evidence default) and cheaper;
    # bugs: only STRONG clears it
    docs = [i for i, r in enumerate(test) if r.text == DOC]
    assert all(choices[d][i] == CHEAP for d in DIALS for i in docs)
    assert all(choices[1.0][i] == STRONG for i, r in enumerate(test) if r.text == BUG)


def test_cli_replays_the_production_router(tmp_path: Path) -> None:
    train, test, out = tmp_path / "train.jsonl", tmp_path / "test.jsonl", tmp_path / "choices.jsonl"
    write_jsonl(train, records(60, 1))
    write_jsonl(test, records(20, 2))
    args = ["evaluate", "--train", str(train), "--test", str(test), "--choices", str(out), "--json"]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    labels = [p["label"] for p in json.loads(res.output)["points"]]
    assert "production dial 0" in labels and CHEAP in labels
    assert len(out.read_text().splitlines()) == 20 * len(DIALS)
