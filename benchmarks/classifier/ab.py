#!/usr/bin/env python3
"""A/B the classifier's cost between two source trees, interleaved in one run.

    taskset -c 1 python benchmarks/classifier/ab.py --a <old checkout>/src --b src [--rounds 20 --n 100]

One worker process per tree (each imports benchroute from its tree and loads B's artifact, so only
the code differs); round after round each worker in turn times `n` calls of
`TextClassifier.classify` on every request shape of run.py (1k and 8k tokens alone and in a tool
loop, the 32k-character paste, the 200-message conversation) and of benchmarks/policy/run.py (the
Kilo-shaped 8k agent request, its 32k paste and 200-message conversation). Both trees see the same
machine load; the figures are thread CPU time per call, p50 and p99 over every round.
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
        ("8000 tok", run.request(8000, False)),
        ("8000 tok +loop", run.request(8000, True)),
        ("32k-char paste", run.paste_request(32_000)),
        ("200 messages", run.long_conversation(200)),
        ("policy 8k agent", policy.agent_request_8k()),
        ("policy 32k paste", policy.paste_32k()),
        ("policy 200 msgs", policy.conversation_200()),
    ]


def worker(n: int, artifact: str) -> None:
    from benchroute.routing.textclf import TextClassifier

    clf = TextClassifier.load(artifact)
    jobs = _shapes()
    for _, req in jobs:  # warm up
        for _ in range(50):
            clf.classify(req)  # type: ignore[arg-type]
    print("ready", flush=True)
    clock = time.thread_time
    for _ in sys.stdin:
        out: dict[str, list[float]] = {}
        for label, req in jobs:
            times = out[label] = []
            for _ in range(n):
                start = clock()
                clf.classify(req)  # type: ignore[arg-type]
                times.append((clock() - start) * 1e6)
        print(json.dumps(out), flush=True)


def start(src: str, n: int, artifact: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": src}
    cmd = [sys.executable, __file__, "--worker", "--n", str(n), "--artifact", artifact]
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
    ap.add_argument("--artifact", default="")
    ap.add_argument("--worker", action="store_true")
    args = ap.parse_args()
    artifact = args.artifact or str(Path(args.b).resolve() / "benchroute" / "data" / "classifier")
    if args.worker:
        worker(args.n, artifact)
        return
    procs = {"A": start(args.a, args.n, artifact), "B": start(args.b, args.n, artifact)}
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
    print(f"A = {args.a}, B = {args.b}; {args.rounds} rounds x {args.n} calls; thread CPU us per classify")
    print(f"{'request':>18} {'A p50':>7} {'A p99':>7} {'B p50':>7} {'B p99':>7}")
    for label in dict.fromkeys(k[0] for k in times):
        a, b = times[(label, "A")], times[(label, "B")]
        print(f"{label:>18} {pct(a, 0.5):7.0f} {pct(a, 0.99):7.0f} {pct(b, 0.5):7.0f} {pct(b, 0.99):7.0f}")


if __name__ == "__main__":
    main()
