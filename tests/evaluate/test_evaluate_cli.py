"""`benchroute evaluate` through click's CliRunner, on synthetic files."""

from __future__ import annotations

import json
from collections import Counter
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


def test_cli_writes_choices_and_json_report(tmp_path: Path) -> None:
    train, test, out = _files(tmp_path, with_outcomes=True)
    res = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--router",
            "learned",
            "--train",
            str(train),
            "--test",
            str(test),
            "--choices",
            str(out),
            "--json",
            "--seed",
            "3",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    report = payload["report"]
    assert report["auc"]["router"] > report["auc"]["single_model_hull"]
    assert len(report["router"]) == len(payload["points"]) >= 12
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    per_prompt: dict[str, list[str]] = {}
    for line in lines:
        per_prompt.setdefault(line["id"], []).append(line["point"])
    assert len(per_prompt) == 20
    labels = {tuple(v) for v in per_prompt.values()}
    assert len(labels) == 1 and len(next(iter(labels))) >= 12
    assert Counter(line["model"] for line in lines).keys() <= {
        "vendor/cheap model",
        "other vendor/strong-1",
        "mid",
    }


def test_cli_text_report_and_test_without_outcomes(tmp_path: Path) -> None:
    train, test, out = _files(tmp_path, with_outcomes=True)
    res = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--router",
            "learned",
            "--train",
            str(train),
            "--test",
            str(test),
            "--choices",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "AUC" in res.output and "oracle" in res.output and "knn baseline" in res.output
    train, test, out = _files(tmp_path, with_outcomes=False)
    res = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--router",
            "learned",
            "--train",
            str(train),
            "--test",
            str(test),
            "--choices",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "nothing to score" in res.output
    # 32 dial points + the two single models on TRAIN's hull (cheap, strong; "mid" is dominated)
    assert len(out.read_text().splitlines()) == 20 * (32 + 2)


def test_cli_rejects_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n')
    res = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--router",
            "learned",
            "--train",
            str(bad),
            "--test",
            str(bad),
            "--choices",
            str(tmp_path / "o.jsonl"),
        ],
    )
    assert res.exit_code != 0
    assert "line 1" in res.output
