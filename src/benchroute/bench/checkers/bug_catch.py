"""`bug_catch`: the model wrote tests; they must pass on the correct solution and fail on the buggy one.

Spec: `{"kind": "bug_catch", "language": "python", "entry_point": "f", "correct": "…", "buggy": "…"}`.
The answer defines `check(candidate)` (HumanEval style) or `test_*` functions. The solution is
placed after the answer's code, so a copy of the function inside the answer cannot stand in for it.
"""

from __future__ import annotations

import asyncio

from benchroute.bench.checkers.base import CheckResult, spec_str
from benchroute.bench.checkers.unit_tests import RUN_LIMITS, Program, run_program
from benchroute.bench.extract import extract_code
from benchroute.bench.sandbox import Limits
from benchroute.bench.tasks import Task

_HARNESS = """
import sys as _bench_sys
_bench_check = globals().get("check")
if callable(_bench_check):
    _bench_check({entry})
else:
    _bench_tests = [v for k, v in list(globals().items()) if k.startswith("test_") and callable(v)]
    if not _bench_tests:
        print("no check() and no test_* functions", file=_bench_sys.stderr)
        _bench_sys.exit(3)
    for _bench_test in _bench_tests:
        _bench_test()
"""


class BugCatchChecker:
    kind = "bug_catch"

    def __init__(self, limits: Limits = RUN_LIMITS) -> None:
        self.limits = limits

    async def check(self, task: Task, answer: str) -> CheckResult:
        spec = task.checker
        if spec_str(spec, "language", "python") != "python":
            return CheckResult.fail(self.kind, "bug_catch supports Python only")
        tests = extract_code(answer, "python")
        if "def " not in tests and "assert" not in tests:
            return CheckResult.fail(self.kind, "no tests in the answer")
        harness = _HARNESS.format(entry=spec_str(spec, "entry_point"))
        on_correct, on_buggy = await asyncio.gather(
            run_program(Program("python", tests, spec_str(spec, "correct") + harness), self.limits),
            run_program(Program("python", tests, spec_str(spec, "buggy") + harness), self.limits),
        )
        if not on_correct.ok:
            return CheckResult.fail(self.kind, "tests fail on the correct solution: " + on_correct.describe())
        if on_buggy.ok:
            return CheckResult.fail(self.kind, "tests pass on the buggy solution: the bug is not caught")
        return CheckResult.ok(self.kind)
