#!/usr/bin/env python3
"""Instructions per policy-only `Router.route` (the classifier replaced by its fixed prediction),
counted by valgrind's callgrind: a figure that does not move with the machine's load.

    python benchmarks/policy/instructions.py --a <old checkout>/src --b src [--n 300] [--shapes short 8k]

For each tree and each request shape of run.py (the short prompt, the 8k-token agent request, the
32k-character paste, the 200-message conversation), two processes run under callgrind with
PYTHONHASHSEED=0 and one BLAS thread: both build the Router, take the shipped classifier's
prediction for the request, make 50 warm-up decisions, then a collection and the gc module off,
and the second makes `n` more; the difference of their totals over `n` is the cost of one
decision. Runs of one tree give the same count to a few instructions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmarks/: the shared helpers
import callgrind_count  # noqa: E402

SHAPES = ("short", "8k", "32k", "200msg")


def worker(shape: str, n: int) -> None:
    import gc

    sys.path.insert(0, str(HERE))
    from run import PROMPT, Fixed, agent_request_8k, conversation_200, paste_32k

    from benchroute.routing.base import RouteContext
    from benchroute.routing.router import Router
    from benchroute.settings import ProjectSettings, Settings
    from benchroute.wire.canonical import ChatRequest, Message, TextPart

    real = Router.default(Settings())
    requests = {
        "short": lambda: ChatRequest(
            model="auto", messages=[Message(role="user", content=[TextPart(PROMPT)])]
        ),
        "8k": agent_request_8k,
        "32k": paste_32k,
        "200msg": conversation_200,
    }
    req = requests[shape]()
    router = Router(real.catalog, real.snapshot, Fixed(real.classifier.classify(req)), real.tiers)
    project, ctx = ProjectSettings(dial=0.5), RouteContext()
    for _ in range(50):
        router.route(req, project, ctx)
    gc.collect()
    gc.disable()
    for _ in range(n):
        router.route(req, project, ctx)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default="")
    ap.add_argument("--b", default="src")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--shapes", nargs="*", default=list(SHAPES))
    ap.add_argument("--worker", default="")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.n)
        return
    what = "policy-only route()"
    callgrind_count.compare(__file__, args.a, args.b, args.shapes, args.n, what, [])


if __name__ == "__main__":
    main()
