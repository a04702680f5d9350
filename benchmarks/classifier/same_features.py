"""Same features, same probabilities: two source trees' classifiers on every stored request.

    python benchmarks/classifier/same_features.py --a /work/main/src --b src

Runs this script once per tree (a subprocess with PYTHONPATH=<tree>), each writing, for every
request of data/requests/requests.jsonl and of the everyday sets
(tests/routing_classifier/data/everyday_requests.jsonl, everyday_dev.jsonl): `extract(request)`
(the vectoriser's text, every structured column, mode, instruction, markers), the TF-IDF row, both
heads' probabilities and `classify(request)` (30 cell probabilities, confidence, signals), called
twice: a classifier that remembers work (`TextClassifier.memo`) answers the second call, and turns
that earlier requests held, from its memo. Both trees load the same artifact (`--artifact`,
default B's). Floats are compared exactly (their
`repr`); prints the number of requests that differ per field and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SETS = (
    Path("data/requests/requests.jsonl"),
    Path("tests/routing_classifier/data/everyday_requests.jsonl"),
    Path("tests/routing_classifier/data/everyday_dev.jsonl"),
)


def _records(path: Path) -> list[dict[str, Any]]:
    from benchroute.train import everyday
    from benchroute.train.reqset.records import read_jsonl

    return read_jsonl(path) if path.name == "requests.jsonl" else everyday.load(path)


def dump(artifact: Path, out: Path) -> None:
    """Write one JSON line per request: everything the classifier reads and computes."""
    from benchroute.routing.features import extract
    from benchroute.routing.textclf import TextClassifier
    from benchroute.train.reqset.records import to_request

    clf = TextClassifier.load(artifact)
    with out.open("w", encoding="utf-8") as fh:
        for path in SETS:
            for rec in _records(path):
                req = to_request(rec["request"])
                feats = extract(req)
                idx, vals = clf.vectorizer.encode(feats.text)
                p_type, p_diff = clf.predict_features(feats)
                pred = clf.classify(req)
                again = clf.classify(req)  # a tree that remembers work: the resent request
                row = {
                    "id": f"{path.name}/{rec['id']}",
                    "text": feats.text,
                    "struct": [repr(float(v)) for v in feats.struct],
                    "mode": feats.mode,
                    "instruction": feats.instruction,
                    "markers": list(feats.markers),
                    "tfidf": [idx.tolist(), [repr(float(v)) for v in vals]],
                    "heads": [[repr(float(v)) for v in p_type], [repr(float(v)) for v in p_diff]],
                    "classify": _prediction(pred),
                    "classify_again": _prediction(again),
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _prediction(pred: Any) -> list[Any]:
    return [
        {k: repr(v) for k, v in pred.probs.items()},
        repr(pred.confidence),
        pred.low_confidence,
        list(pred.signals),
    ]


def _run(tree: Path, artifact: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    cmd = [sys.executable, __file__, "--dump", str(out), "--artifact", str(artifact)]
    subprocess.run(cmd, env=env, check=True)


def compare(a: Path, b: Path) -> dict[str, int]:
    """Requests that differ, per field (and "requests": how many were compared)."""
    diffs: dict[str, int] = {"requests": 0}
    with a.open(encoding="utf-8") as fa, b.open(encoding="utf-8") as fb:
        for line_a, line_b in zip(fa, fb, strict=True):
            row_a, row_b = json.loads(line_a), json.loads(line_b)
            if row_a["id"] != row_b["id"]:
                raise SystemExit(f"request order differs: {row_a['id']} vs {row_b['id']}")
            diffs["requests"] += 1
            diffs["any"] = diffs.get("any", 0) + (row_a != row_b)
            for key in row_a:
                if row_a[key] != row_b[key]:
                    diffs[key] = diffs.get(key, 0) + 1
                    if diffs[key] <= 3:
                        print(f"differs: {row_a['id']} {key}", file=sys.stderr)
    return diffs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", type=Path, help="source tree A (the one before)")
    parser.add_argument("--b", type=Path, default=Path("src"), help="source tree B")
    parser.add_argument("--artifact", type=Path, help="classifier artifact (default: B's shipped one)")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)  # worker mode
    args = parser.parse_args()
    artifact = args.artifact or args.b / "benchroute" / "data" / "classifier"
    if args.dump:
        dump(artifact, args.dump)
        return
    if args.a is None:
        parser.error("--a is required")
    with tempfile.TemporaryDirectory() as tmp:
        out_a, out_b = Path(tmp) / "a.jsonl", Path(tmp) / "b.jsonl"
        _run(args.a, artifact, out_a)
        _run(args.b, artifact, out_b)
        diffs = compare(out_a, out_b)
    n, differ = diffs.pop("requests"), diffs.pop("any", 0)
    diffs = {k: v for k, v in diffs.items() if v}
    fields = ", ".join(f"{k} {v}" for k, v in diffs.items()) or "none"
    print(f"{n} requests compared (A={args.a}, B={args.b}, artifact {artifact})")
    print(f"requests that differ: {differ} (by field: {fields})")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
