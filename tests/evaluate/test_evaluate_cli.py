"""`benchroute evaluate` through click's CliRunner, on synthetic files: the production replay only
(the per-prompt estimators study left the package; benchmarks/evaluate/learned)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from evaluate_synth import make_records

from benchroute.cli.main import cli
from benchroute.evaluate.outcomes import write_jsonl


def _files(tmp_path: Path, with_outcomes: bool) -> tuple[Path, Path, Path]:
    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    write_jsonl(train, make_records(100, seed=1))
    recs = make_records(20, seed=2, prefix="t")
    if with_outcomes:
        write_jsonl(test, recs)
    else:
        with open(test, "w", encoding="utf-8") as fh:
            for r in recs:  # chat format, no outcomes
                fh.write(json.dumps({"id": r.id, "messages": [{"role": "user", "content": r.text}]}) + "\n")
    return train, test, tmp_path / "out.jsonl"


def test_cli_text_report_and_test_without_outcomes(tmp_path: Path) -> None:
    train, test, out = _files(tmp_path, with_outcomes=True)
    args = ["evaluate", "--train", str(train), "--test", str(test), "--choices", str(out)]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "dial 0 " in res.output and "dial 1 " in res.output and "quality" in res.output
    train, test, out = _files(tmp_path, with_outcomes=False)
    res = CliRunner().invoke(
        cli, ["evaluate", "--train", str(train), "--test", str(test), "--choices", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "no outcomes to score" in res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 20 * 5  # one choice per prompt at each of the five dial points
    assert {line["point"] for line in lines} == {"dial 0", "dial 0.25", "dial 0.5", "dial 0.75", "dial 1"}


def test_the_learned_router_is_gone(tmp_path: Path) -> None:
    train, test, out = _files(tmp_path, with_outcomes=True)
    args = [
        "evaluate",
        "--router",
        "learned",
        "--train",
        str(train),
        "--test",
        str(test),
        "--choices",
        str(out),
    ]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code != 0 and "--router" in res.output


def test_cli_rejects_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n')
    args = ["evaluate", "--train", str(bad), "--test", str(bad), "--choices", str(tmp_path / "o.jsonl")]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code != 0
    assert "line 1" in res.output
