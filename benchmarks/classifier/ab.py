#!/usr/bin/env python3
"""A/B the classifier's cost between two source trees, interleaved in one run.

    taskset -c 1 python benchmarks/classifier/ab.py --a <old checkout>/src --b src [--rounds 20 --n 100]
        [--set data/requests/requests.jsonl]

One worker process per tree (each imports benchroute from its tree and loads B's artifact, so only
the code differs); round after round each worker in turn times `n` calls of
`TextClassifier.classify` on every request shape of run.py (1k and 8k tokens alone and in a tool
loop, 1k tokens of Russian prose, the 32k-character paste, the 200-message conversation) and of
benchmarks/policy/run.py (the Kilo-shaped 8k agent request, its 32k paste and 200-message
conversation), each at first sight (the classifier without its memo) and as the next call of a
tool loop ("next call": the memo knows the turn, the heads run again; a fresh copy of the request
each call; a tree without a memo does the same work twice). Both trees see the same machine load;
the figures are thread CPU time per call, p50 and p99 over every round. With `--set
data/requests/requests.jsonl`, also the request set's requests of 4k-32k and over 32k characters
at first sight (each call the bucket's next request, round after round: rounds x n calls).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from ab_rounds import report, run_rounds, serve_rounds, start  # noqa: E402


def _shapes() -> list[tuple[str, object]]:
    import importlib.util

    sys.path.insert(0, str(HERE))
    import run

    spec = importlib.util.spec_from_file_location("policy_run", HERE.parent / "policy" / "run.py")
    assert spec is not None and spec.loader is not None
    policy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(policy)
    return [
        ("1000 tok", run.request(1000, False)),
        ("1000 tok ru", run.request(1000, False, run.PROSE_RU)),
        ("8000 tok", run.request(8000, False)),
        ("8000 tok +loop", run.request(8000, True)),
        ("32k-char paste", run.paste_request(32_000)),
        ("200 messages", run.long_conversation(200)),
        ("policy 8k agent", policy.agent_request_8k()),
        ("policy 32k paste", policy.paste_32k()),
        ("policy 200 msgs", policy.conversation_200()),
    ]


def _request_set(path: Path) -> list[tuple[str, list[object]]]:
    """The request set's requests of 4k-32k and over 32k characters (run.py's buckets)."""
    from benchroute.train.reqset.records import read_jsonl, to_request

    buckets: dict[str, list[object]] = {"set 4k-32k chars": [], "set >32k chars": []}
    for rec in read_jsonl(path):
        req = to_request(rec["request"])
        size = sum(len(m.text) for m in req.messages)
        if size >= 4000:
            buckets["set 4k-32k chars" if size <= 32000 else "set >32k chars"].append(req)
    return list(buckets.items())


def worker(n: int, artifact: str, request_set: str) -> None:
    import dataclasses
    import itertools

    from run import fresh, next_call

    from benchroute.routing.textclf import TextClassifier

    clf = TextClassifier.load(artifact)
    # First sight: without the memo (a tree that has one); next call: the memo without
    # predictions (the heads run again), each call on a fresh copy of the request (a tree without
    # a memo does the same work as at first sight).
    first = loop = clf
    if hasattr(clf, "memo"):
        first, loop = dataclasses.replace(clf, memo=None), next_call(clf)
    jobs = []
    for label, req in _shapes():
        copies = itertools.cycle([fresh(req) for _ in range(20)])  # type: ignore[arg-type]
        jobs += [
            (label, lambda req=req: first.classify(req)),
            (f"{label} next call", lambda copies=copies: loop.classify(next(copies))),
        ]
    if request_set:  # first sight, each call the bucket's next request
        for label, reqs in _request_set(Path(request_set)):
            cycle = itertools.cycle(reqs)
            jobs.append((label, lambda cycle=cycle: first.classify(next(cycle))))  # type: ignore[arg-type]
    serve_rounds(jobs, n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default="")
    ap.add_argument("--b", default="src")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--artifact", default="")
    ap.add_argument("--set", default="", help="also the request set's 4k+ requests (path to requests.jsonl)")
    ap.add_argument("--worker", action="store_true")
    args = ap.parse_args()
    artifact = args.artifact or str(Path(args.b).resolve() / "benchroute" / "data" / "classifier")
    if args.worker:
        worker(args.n, artifact, args.set)
        return
    args_of = ["--n", str(args.n), "--artifact", artifact, "--set", args.set]
    times = run_rounds(
        {"A": start(__file__, args.a, args_of), "B": start(__file__, args.b, args_of)}, args.rounds
    )
    print(f"A = {args.a}, B = {args.b}; {args.rounds} rounds x {args.n} calls; thread CPU us per classify")
    report(times, width=26)


if __name__ == "__main__":
    main()
