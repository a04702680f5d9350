"""How large an ECE a perfectly calibrated classifier shows on a set of this size.

    PYTHONPATH=src python benchmarks/classifier/ece_noise.py [--set SET] [--draws 2000]

SET: everyday (the first evaluation set), everyday2 (the second), everyday-pooled, everyday-dev, test.

Keeps the shipped classifier's route probabilities for every request of the set, draws each
request's label from those probabilities (so the probabilities are exactly right by construction)
and prints the 5th / 50th / 95th percentile of the ECE over the draws, next to the measured ECE.
On a small set the first is the floor the second can be compared with.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from benchroute.routing.features import extract
from benchroute.routing.taxonomy import TASK_TYPES
from benchroute.routing.textclf import TextClassifier, default_path
from benchroute.train import everyday
from benchroute.train.metrics import expected_calibration_error
from benchroute.train.reqset.records import read_jsonl, to_request

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "routing_classifier" / "data"
SECOND = sorted(HERE.glob("everyday_eval2_*.jsonl"))
SETS = {
    "everyday": [HERE / "everyday_requests.jsonl"],
    "everyday2": SECOND,
    "everyday-pooled": [HERE / "everyday_requests.jsonl", *SECOND],
    "everyday-dev": [HERE / "everyday_dev.jsonl"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", choices=(*SETS, "test"), default="everyday")
    parser.add_argument("--draws", type=int, default=2000)
    args = parser.parse_args()
    if args.set == "test":
        rows = [r for r in read_jsonl(ROOT / "data" / "requests" / "requests.jsonl") if r["split"] == "test"]
    else:
        rows = [row for path in SETS[args.set] for row in everyday.load(path)]
    clf = TextClassifier.load(default_path())
    probs = np.array([clf.predict_features(extract(to_request(r["request"])))[0] for r in rows])
    truth = np.array([TASK_TYPES.index(str(r["task_type"])) for r in rows])
    rng = np.random.default_rng(0)
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    eces = []
    for _ in range(args.draws):
        drawn = (cum < rng.random((len(rows), 1))).sum(axis=1).clip(0, len(TASK_TYPES) - 1)
        eces.append(expected_calibration_error(probs, drawn))
    lo, mid, hi = np.percentile(eces, [5, 50, 95])
    print(f"{args.set}: n={len(rows)}  measured ECE {expected_calibration_error(probs, truth):.3f}")
    print(f"perfectly calibrated, same probabilities: ECE p5 {lo:.3f}  p50 {mid:.3f}  p95 {hi:.3f}")


if __name__ == "__main__":
    main()
