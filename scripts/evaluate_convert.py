"""Write the shared outcome matrices as DESIGN.md outcome JSONL (one file per dataset).

python scripts/evaluate_convert.py [--data ../shared/data] [--out build/outcomes]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchroute.evaluate.datasets import DATASETS, load
from benchroute.evaluate.outcomes import write_jsonl

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "outcomes")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in DATASETS:
        n = write_jsonl(args.out / f"{name}.jsonl", load(name, args.data))
        print(f"{name}: {n} prompts -> {args.out / (name + '.jsonl')}")


if __name__ == "__main__":
    main()
