"""Figures for the shipped classifier: the request set's test split and the everyday requests.

    PYTHONPATH=src python benchmarks/classifier/evaluate.py [--artifact DIR] [--split test]
        [--earlier-set OLD_REQUESTS.jsonl] [--everyday-dev FILE] [--no-everyday]

Prints task-type and difficulty accuracy, ECE, the low-confidence rule (share fired, accuracy
above) and its curve, per client shape and per language. The test split is read here only to
report; nothing is tuned on it. With `--earlier-set` (an earlier build of the request set, e.g.
`git show main:data/requests/requests.jsonl > /tmp/old.jsonl`) it also reports the split restricted
to the requests that were in that split of the earlier set, so figures compare like for like after
templates were added.

Two hand-written everyday sets are reported besides the split: `everyday_dev.jsonl`, the dev set of
everyday-style requests used for choices (calibration, threshold, what to write next), and
`everyday_requests.jsonl`, the evaluation set, read only to report (`--no-everyday` leaves it out
while working, so it is not looked at after every change). The second everyday evaluation set
(`everyday_eval2_*.jsonl`: written by two writers independently of the first, of the training
templates and of the classifier, each request labelled blind a second time and disagreements
settled by the rubric before the classifier read it) is reported on its own and pooled with the
first: 105 requests are too few to tell an ECE of 0.05 from one of 0.07 (`ece_noise.py`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchroute.routing.features import extract
from benchroute.routing.textclf import TextClassifier, default_path
from benchroute.train import data, everyday, metrics
from benchroute.train.reqset.records import read_jsonl, to_request

HEADLINE = (
    "n",
    "task_accuracy",
    "task_ece",
    "difficulty_accuracy",
    "difficulty_off_by_two",
    "difficulty_ece",
    "low_confidence_fires",
    "accuracy_above_threshold",
)


def show(name: str, report: dict[str, object]) -> None:
    print(f"== {name}")
    print("  " + "  ".join(f"{k}={report[k]}" for k in HEADLINE))
    print(f"  curve (threshold, share fired, accuracy above): {report['curve']}")
    for key in (
        "task_accuracy_by_client",
        "task_accuracy_by_language",
        "task_accuracy_by_type",
        "difficulty_accuracy_by_client",
        "task_accuracy_by_source",
    ):
        print(f"  {key}: {json.dumps(report[key])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artifact", type=Path, default=default_path())
    parser.add_argument("--requests", type=Path, default=data.DEFAULT_REQUESTS)
    parser.add_argument(
        "--everyday", type=Path, default=Path("tests/routing_classifier/data/everyday_requests.jsonl")
    )
    parser.add_argument(
        "--everyday2",
        type=Path,
        nargs="*",
        default=sorted(Path("tests/routing_classifier/data").glob("everyday_eval2_*.jsonl")),
        help="the second everyday evaluation set's files",
    )
    parser.add_argument(
        "--everyday-dev", type=Path, default=Path("tests/routing_classifier/data/everyday_dev.jsonl")
    )
    parser.add_argument("--no-everyday", action="store_true", help="leave out the everyday evaluation set")
    parser.add_argument("--split", default="test")
    parser.add_argument("--earlier-set", type=Path, default=None)
    args = parser.parse_args()
    clf = TextClassifier.load(args.artifact)
    print(f"artifact {args.artifact}; low-confidence threshold {clf.low_confidence}")
    records = read_jsonl(args.requests)
    show(f"request set, {args.split} split", metrics.evaluate(clf, data.split(records, args.split)))
    if args.earlier_set is not None:
        earlier = {r["id"] for r in read_jsonl(args.earlier_set) if r["split"] == args.split}
        same = [{**r, "split": "earlier"} for r in records if r["id"] in earlier]
        show(
            f"requests in the earlier set's {args.split} split",
            metrics.evaluate(clf, data.split(same, "earlier")),
        )
    show("everyday dev requests (hand-written, used for choices)", _everyday(clf, [args.everyday_dev]))
    if not args.no_everyday:
        show("everyday requests (hand-written evaluation set)", _everyday(clf, [args.everyday]))
        if args.everyday2:
            show("everyday requests, second evaluation set", _everyday(clf, args.everyday2))
            show(
                "everyday requests, both evaluation sets pooled",
                _everyday(clf, [args.everyday, *args.everyday2]),
            )


def _everyday(clf: TextClassifier, paths: list[Path]) -> dict[str, object]:
    rows = [row for path in paths for row in everyday.load(path)]
    return metrics.evaluate(clf, data.Split(rows, [extract(to_request(r["request"])) for r in rows]))


if __name__ == "__main__":
    main()
