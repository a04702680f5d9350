"""`regex`: the answer matches every pattern (and none of the forbidden ones).

Spec: `{"kind": "regex", "pattern": "…" | "patterns": ["…"], "forbid": ["…"], "ignore_case": true}`.
"""

from __future__ import annotations

import re

from benchroute.bench.checkers.base import CheckResult
from benchroute.bench.extract import strip_reasoning
from benchroute.bench.tasks import Task


class RegexChecker:
    kind = "regex"

    async def check(self, task: Task, answer: str) -> CheckResult:
        spec = task.checker
        patterns = list(spec.get("patterns") or [])
        if isinstance(spec.get("pattern"), str):
            patterns.insert(0, spec["pattern"])
        flags = re.M | (re.I if spec.get("ignore_case", True) else 0)
        text = strip_reasoning(answer)
        for pattern in patterns:
            if not re.search(pattern, text, flags):
                return CheckResult.fail(self.kind, f"answer does not match {pattern!r}")
        for pattern in spec.get("forbid") or []:
            if re.search(pattern, text, flags):
                return CheckResult.fail(self.kind, f"answer matches forbidden {pattern!r}")
        return CheckResult.ok(self.kind)
