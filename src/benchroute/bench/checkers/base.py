"""The checker interface: score one model answer to one task, 0..1, with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from benchroute.bench.tasks import Task


@dataclass(frozen=True, slots=True)
class CheckResult:
    score: float  # 0..1
    passed: bool
    reason: str = ""  # why it failed (or a note when it passed)
    checker: str = ""  # "unit_tests", …, "judge:<model>"

    @classmethod
    def ok(cls, checker: str, reason: str = "") -> CheckResult:
        return cls(1.0, True, reason, checker)

    @classmethod
    def fail(cls, checker: str, reason: str) -> CheckResult:
        return cls(0.0, False, reason, checker)


class Checker(Protocol):
    """Checks answers for one checker kind (the `kind` of a task's checker spec)."""

    kind: str

    async def check(self, task: Task, answer: str) -> CheckResult: ...


async def run_check(checkers: Mapping[str, Checker], task: Task, answer: str) -> CheckResult:
    """Check an answer; a checker that breaks scores 0 with the error as reason, never raises."""
    kind = task.checker_kind
    checker = checkers.get(kind)
    if checker is None:
        return CheckResult.fail(kind, f"no checker for kind {kind!r}")
    try:
        return await checker.check(task, answer)
    except Exception as exc:  # a checker failure is a scored failure, not a crashed run
        return CheckResult.fail(kind, f"checker error: {type(exc).__name__}: {exc}"[:500])


def spec_str(spec: Mapping[str, Any], key: str, default: str = "") -> str:
    value = spec.get(key, default)
    return value if isinstance(value, str) else default
