"""Hand-written whole requests as training records: every client, labels kept, never the test split."""

from __future__ import annotations

import json
import random
from pathlib import Path

from benchroute.routing.features import extract
from benchroute.train.reqset import build, written
from benchroute.train.reqset.records import to_request

ROW = {
    "id": "Z001",
    "client": "kilo",
    "mode": "architect",
    "language": "python",
    "task_type": "debug",
    "subtype": "fix",
    "difficulty": "easy",
    "text": "fix it",
    "tool_results": [{"kind": "run", "arg": "pytest -q", "result": "1 failed, 3 passed", "failed": True}],
}


def test_each_row_goes_out_once_per_client_with_its_labels(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text(
        json.dumps(ROW) + "\n" + json.dumps({**ROW, "id": "Z002", "client": "sdk"})
    )
    records = written.train_records(0, tmp_path)
    assert [r["client"] for r in records] == [
        *("kilo", "sdk", "claude_code", "codex"),
        *("sdk", "kilo", "claude_code", "codex"),
    ]
    assert {r["group"] for r in records} == {"written/Z001", "written/Z002"}
    assert {(r["task_type"], r["difficulty"], r["context"]) for r in records} == {("debug", "easy", "tool")}
    # the person's words and the tool result reach the classifier in every shape
    for r in records:
        feats = extract(to_request(r["request"]))
        assert "fix it" in feats.text
    # the Kilo mode is the row's own only when Kilo sent it
    assert records[0]["request"]["mode"] == "architect" and records[5]["request"]["mode"] == "code"
    assert written.train_records(0, tmp_path) == records  # deterministic for a seed


def test_request_of_defaults_to_the_rows_own_client() -> None:
    request = written.request_of({**ROW, "client": "codex"}, random.Random(0))
    assert request == written.request_of({**ROW, "client": "codex"}, random.Random(0), "codex")


def test_written_requests_train_or_calibrate_but_never_test() -> None:
    records = written.train_records(0)
    assert len(records) >= 4 * 250
    build.assign_train_only(records, seed=0)
    assert {r["split"] for r in records} == {"train", "dev"}
    by_group: dict[str, set[str]] = {}
    for r in records:
        by_group.setdefault(r["group"], set()).add(r["split"])
    assert all(len(s) == 1 for s in by_group.values())  # a request's four shapes stay on one side
