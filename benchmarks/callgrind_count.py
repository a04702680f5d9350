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
