"""Artifacts compared on the parts of the dev split (never the test split or an evaluation set).

    PYTHONPATH=src python benchmarks/classifier/dev_parts.py ARTIFACT_DIR [ARTIFACT_DIR ...]
        [--requests data/requests/requests.jsonl]

Parts: the templates' dev requests, the written dev requests by writer group (A, C, E-H of the
tenth pass; I-L and M-P of the eleventh) and the everyday dev set. For each: route accuracy, ECE,
difficulty accuracy, and the low-confidence rule (share fired / accuracy above) at the artifact's
own threshold. Features are today's code: an artifact trained with other features reads a little
differently here than it did with its own (docs/classifier.md, eleventh pass).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchroute.routing.features import extract
from benchroute.routing.textclf import TextClassifier
from benchroute.train import data, everyday, metrics
from benchroute.train.reqset.records import read_jsonl, to_request

EVERYDAY_DEV = Path("tests/routing_classifier/data/everyday_dev.jsonl")
GROUPS = (("ACEFGH", "written A, C, E-H"), ("IJKL", "written I-L"), ("MNOP", "written M-P"))


def part_of(record: dict[str, Any]) -> str:
    if record["source"] != "written":
        return "templates"
    writer = str(record["id"]).split("/")[1][0]
    return next((name for letters, name in GROUPS if writer in letters), "written, other")


def parts(requests: Path) -> dict[str, data.Split]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in read_jsonl(requests):
        if r["split"] == "dev":
            grouped.setdefault(part_of(r), []).append(r)
    grouped["everyday dev set"] = everyday.load(EVERYDAY_DEV)
    return {k: data.Split(v, [extract(to_request(r["request"])) for r in v]) for k, v in grouped.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("artifacts", nargs="+", type=Path)
    ap.add_argument("--requests", type=Path, default=data.DEFAULT_REQUESTS)
    args = ap.parse_args()
    splits = parts(args.requests)
    for path in args.artifacts:
        clf = TextClassifier.load(path)
        print(f"== {path} (threshold {clf.low_confidence})")
        for name, split in splits.items():
            r = metrics.evaluate(clf, split)
            print(
                f"  {name:18s} n={r['n']:5d}  route {r['task_accuracy']:.3f}  ECE {r['task_ece']:.3f}  "
                f"difficulty {r['difficulty_accuracy']:.3f}  rule {r['low_confidence_fires']:.3f} / "
                f"{r['accuracy_above_threshold']:.3f}"
            )


if __name__ == "__main__":
    main()
