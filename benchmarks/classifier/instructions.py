#!/usr/bin/env python3
"""Instructions per first-sight `classify`, counted by valgrind's callgrind: a figure that does not
move with the machine's load (thread CPU time does, by tens of percent on a shared machine).

    python benchmarks/classifier/instructions.py --a <old checkout>/src --b src [--n 300] [--shapes 1000 8000]

For each tree and each of run.py's request shapes (and "1000ru", its 1k-token prompt in Russian;
"policy8k", "policypaste", "policy200": benchmarks/policy/run.py's three), two processes run
under callgrind with PYTHONHASHSEED=0 and B's artifact: both load the classifier (without its
memo) and make 20 warm-up calls, then a collection and the gc module off, and the second makes `n`
more calls; the difference of their totals over `n` is the cost of one call. Runs of one tree
agree within ~5%.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchroute.wire.canonical import ChatRequest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmarks/: the shared helpers
import callgrind_count  # noqa: E402

SHAPES = (
    "50",
    "1000",
    "1000ru",
    "8000",
    "8000loop",
    "paste",
    "200msg",
    "policy8k",
    "policypaste",
    "policy200",
)


def _request(shape: str) -> ChatRequest:
    sys.path.insert(0, str(HERE))
    import run

    if shape.startswith("policy"):  # benchmarks/policy/run.py's three
        import importlib.util

        spec = importlib.util.spec_from_file_location("policy_run", HERE.parent / "policy" / "run.py")
        assert spec is not None and spec.loader is not None
        policy = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(policy)
        made = {
            "policy8k": policy.agent_request_8k,
            "policypaste": policy.paste_32k,
            "policy200": policy.conversation_200,
        }
        request: ChatRequest = made[shape]()
        return request
    if shape == "paste":
        return run.paste_request(32_000)
    if shape == "200msg":
        return run.long_conversation(200)
    if shape == "1000ru":
        return run.request(1000, False, run.PROSE_RU)
    return run.request(int(shape.removesuffix("loop")), shape.endswith("loop"))


def worker(shape: str, n: int, artifact: str) -> None:
    import dataclasses
    import gc

    from benchroute.routing.textclf import TextClassifier

    clf = TextClassifier.load(artifact)
    if hasattr(clf, "memo"):
        clf = dataclasses.replace(clf, memo=None)
    req = _request(shape)
    for _ in range(20):
        clf.classify(req)
    gc.collect()
    gc.disable()
    for _ in range(n):
        clf.classify(req)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default="")
    ap.add_argument("--b", default="src")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--shapes", nargs="*", default=list(SHAPES))
    ap.add_argument("--artifact", default="")
    ap.add_argument("--worker", default="")
    args = ap.parse_args()
    artifact = args.artifact or str(Path(args.b).resolve() / "benchroute" / "data" / "classifier")
    if args.worker:
        worker(args.worker, args.n, artifact)
        return
    what = "first-sight classify"
    callgrind_count.compare(__file__, args.a, args.b, args.shapes, args.n, what, ["--artifact", artifact])


if __name__ == "__main__":
    main()
