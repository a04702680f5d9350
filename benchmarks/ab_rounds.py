"""The A/B driver shared by benchmarks/classifier/ab.py and benchmarks/policy/ab.py: one worker
process per source tree, interleaved rounds (both trees see the same machine load), thread CPU time
per call, p50 / p99 over every round.

A worker (the calling script with `--worker`) prints "ready", then for each line on stdin times
`n` calls of every job and prints one JSON line {label: [microseconds, ...]}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def serve_rounds(jobs: Sequence[tuple[str, Callable[[], object]]], n: int, warmup: int = 50) -> None:
    """The worker's side: warm every job up, then answer each round on stdin."""
    for _, call in jobs:
        for _ in range(warmup):
            call()
    print("ready", flush=True)
    clock = time.thread_time
    for _ in sys.stdin:
        out: dict[str, list[float]] = {}
        for label, call in jobs:
            times = out[label] = []
            for _ in range(n):
                start = clock()
                call()
                times.append((clock() - start) * 1e6)
        print(json.dumps(out), flush=True)


def start(script: str, src: str, args: Sequence[str]) -> subprocess.Popen[str]:
    """`script --worker *args` importing benchroute from `src`, once it is ready."""
    env = {**os.environ, "PYTHONPATH": src}
    cmd = [sys.executable, script, "--worker", *args]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def run_rounds(procs: dict[str, subprocess.Popen[str]], rounds: int) -> dict[tuple[str, str], list[float]]:
    """Each worker in turn, `rounds` times; then stops them. Times by (label, side)."""
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
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
    return times


def report(times: dict[tuple[str, str], list[float]], width: int = 24) -> None:
    print(f"{'request':>{width}} {'A p50':>7} {'A p99':>7} {'B p50':>7} {'B p99':>7}")
    for label in dict.fromkeys(k[0] for k in times):
        a, b = times[(label, "A")], times[(label, "B")]
        print(
            f"{label:>{width}} {pct(a, 0.5):7.0f} {pct(a, 0.99):7.0f} {pct(b, 0.5):7.0f} {pct(b, 0.99):7.0f}"
        )
