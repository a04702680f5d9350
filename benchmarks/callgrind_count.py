"""Instructions callgrind counts for one run of a benchmark's worker (shared by the
`instructions.py` scripts of benchmarks/classifier and benchmarks/policy)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def total(script: str, tree: str, args: list[str]) -> int:
    """All instructions of `python script *args` under callgrind, with `tree` as PYTHONPATH."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        env = {**os.environ, "PYTHONPATH": str(Path(tree).resolve()), "PYTHONHASHSEED": "0"}
        # one BLAS thread: callgrind counts the idle worker threads' spinning, which varies by ~10%
        env |= {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        # `sys.executable`, not `python`: a pyenv shim is a shell script valgrind would follow
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, script, *args]
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        match = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)
        if match is None:
            raise RuntimeError(f"no total in the callgrind output of {tree} {args}")
        return int(match.group(1))


def per_call(script: str, tree: str, args: list[str], n: int) -> float:
    """Instructions of one call: a worker's run with `n` calls less its run with none, over `n`."""
    with_calls = total(script, tree, [*args, "--n", str(n)])
    return (with_calls - total(script, tree, [*args, "--n", "0"])) / n


def compare(script: str, a: str, b: str, shapes: list[str], n: int, what: str, extra: list[str]) -> None:
    """Print per-call instructions for each shape in tree B (and A, with B / A, when `a` is given);
    the worker is `script --worker SHAPE --n N *extra`."""
    trees = [("A", a), ("B", b)] if a else [("B", b)]
    print(f"{', '.join(f'{k} = {t}' for k, t in trees)}; instructions per {what}, n = {n}")
    print(f"{'request':>10}" + "".join(f"{k:>12}" for k, _ in trees) + ("   B / A" if a else ""))
    for shape in shapes:
        per = [per_call(script, tree, ["--worker", shape, *extra], n) for _, tree in trees]
        ratio = f"   {per[1] / per[0]:6.3f}" if a else ""
        print(f"{shape:>10}" + "".join(f"{p:12,.0f}" for p in per) + ratio, flush=True)
