#!/usr/bin/env python3
"""A/B the decision's cost between two source trees, interleaved in one run.

    taskset -c 1 python benchmarks/policy/ab.py --a <old checkout>/src --b src [--rounds 20 --n 100]

Starts one worker process per tree (each imports benchroute from its tree), then, round after
round, lets each worker in turn time `n` decisions of every request shape of run.py (the 8k-token
agent request, the 32k-character paste, the 200-message conversation), policy alone (the
classifier replaced by its fixed prediction) and with the shipped classifier, at first sight (without
its memo) and as the next call of a tool loop ("next call": the memo knows the turn, the heads run
again; a fresh copy of the request each call). Alternating in short rounds, both trees see the
same machine load; the figures are thread CPU time per decision, p50 and p99 over every round.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from ab_rounds import report, run_rounds, serve_rounds, start  # noqa: E402


def worker(n: int) -> None:
    import dataclasses
    import itertools

    sys.path.insert(0, str(HERE))
    from run import Fixed, agent_request_8k, conversation_200, fresh, next_call, paste_32k

    from benchroute.routing.base import RouteContext
    from benchroute.routing.router import Router
    from benchroute.settings import ProjectSettings, Settings

    real = Router.default(Settings())
    project, ctx = ProjectSettings(dial=0.5), RouteContext()
    # First sight: the classifier without its memo (a tree that has one); next call: its memo
    # without predictions, a fresh copy of the request each call (a tree without a memo does the
    # same work again).
    clf = real.classifier
    first = loop = real
    if hasattr(clf, "memo"):
        first = Router(real.catalog, real.snapshot, dataclasses.replace(clf, memo=None), real.tiers)  # type: ignore[type-var]
        loop = Router(real.catalog, real.snapshot, next_call(clf), real.tiers)
    jobs = []
    for name, req in (
        ("8k agent", agent_request_8k()),
        ("32k paste", paste_32k()),
        ("200 msgs", conversation_200()),
    ):
        fixed = Router(real.catalog, real.snapshot, Fixed(clf.classify(req)), real.tiers)
        copies = itertools.cycle([fresh(req) for _ in range(20)])
        jobs += [
            (f"{name} policy", lambda r=fixed, q=req: r.route(q, project, ctx)),
            (f"{name} +classifier", lambda r=first, q=req: r.route(q, project, ctx)),
            (f"{name} +clf next call", lambda c=copies: loop.route(next(c), project, ctx)),
        ]
    serve_rounds(jobs, n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default="")
    ap.add_argument("--b", default="src")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--worker", action="store_true")
    args = ap.parse_args()
    if args.worker:
        worker(args.n)
        return
    times = run_rounds(
        {
            "A": start(__file__, args.a, ["--n", str(args.n)]),
            "B": start(__file__, args.b, ["--n", str(args.n)]),
        },
        args.rounds,
    )
    print(f"A = {args.a}, B = {args.b}; {args.rounds} rounds x {args.n} decisions; thread CPU us")
    report(times)


if __name__ == "__main__":
    main()
