#!/usr/bin/env python3
"""A/B the decision's cost between two source trees, interleaved in one run.

    taskset -c 1 python benchmarks/policy/ab.py --a <old checkout>/src --b src [--rounds 20 --n 100]

Starts one worker process per tree (each imports benchroute from its tree), then, round after
round, lets each worker in turn time `n` decisions of every request shape of run.py (the 8k-token
agent request, the 32k-character paste, the 200-message conversation), policy alone (the
classifier replaced by its fixed prediction) and with the shipped classifier. Alternating in short
rounds, both trees see the same machine load; the figures are thread CPU time per decision, p50
and p99 over every round.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(n: int) -> None:
    sys.path.insert(0, str(HERE))
    from run import Fixed, agent_request_8k, conversation_200, paste_32k

    from benchroute.routing.base import RouteContext
    from benchroute.routing.router import Router
    from benchroute.settings import ProjectSettings, Settings

    real = Router.default(Settings())
    project, ctx = ProjectSettings(dial=0.5), RouteContext()
    jobs = []
    for name, req in (
        ("8k agent", agent_request_8k()),
        ("32k paste", paste_32k()),
        ("200 msgs", conversation_200()),
    ):
        fixed = Router(real.catalog, real.snapshot, Fixed(real.classifier.classify(req)), real.tiers)
        jobs += [(f"{name} policy", fixed, req), (f"{name} +classifier", real, req)]
    for _, r, req in jobs:  # warm up
        for _ in range(50):
            r.route(req, project, ctx)
    print("ready", flush=True)
    clock = time.thread_time
    for _ in sys.stdin:
        out: dict[str, list[float]] = {}
        for label, r, req in jobs:
            times = out[label] = []
            for _ in range(n):
                start = clock()
                r.route(req, project, ctx)
                times.append((clock() - start) * 1e6)
        print(json.dumps(out), flush=True)


def start(src: str, n: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": src}
    cmd = [sys.executable, __file__, "--worker", "--n", str(n)]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


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
    procs = {"A": start(args.a, args.n), "B": start(args.b, args.n)}
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for side, proc in procs.items():
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
            for label, xs in json.loads(proc.stdout.readline()).items():
                times.setdefault((label, side), []).extend(xs)
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    print(f"A = {args.a}, B = {args.b}; {args.rounds} rounds x {args.n} decisions; thread CPU us")
    print(f"{'request':>24} {'A p50':>7} {'A p99':>7} {'B p50':>7} {'B p99':>7}")
    for label in dict.fromkeys(k[0] for k in times):
        a, b = times[(label, "A")], times[(label, "B")]
        print(f"{label:>24} {pct(a, 0.5):7.0f} {pct(a, 0.99):7.0f} {pct(b, 0.5):7.0f} {pct(b, 0.99):7.0f}")


if __name__ == "__main__":
    main()
