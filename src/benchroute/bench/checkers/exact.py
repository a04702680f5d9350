"""`exact`: the final answer equals the expected one after normalisation.

Spec: `{"kind": "exact", "answer": "18", "normalize": "number"|"letter"|"literal"|"text",
"tag": "ANSWER" (optional: read the value after `ANSWER:`), "choices": "ABCD"}`.
`literal` compares Python literals (`[1, 2]` == `[1,2]`), for "what does this code return" questions.
"""

from __future__ import annotations

import ast
import math
from typing import Any

from benchroute.bench.checkers.base import CheckResult, spec_str
from benchroute.bench.extract import (
    final_letter,
    final_number,
    normalize_number,
    strip_reasoning,
    tagged_answer,
)
from benchroute.bench.tasks import Task


def _literal(text: str) -> Any:
    return ast.literal_eval(text.strip().rstrip("."))


def _same_literal(got: Any, want: Any) -> bool:
    if isinstance(got, float | int) and isinstance(want, float | int):
        return math.isclose(float(got), float(want), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(got, list | tuple) and isinstance(want, list | tuple):
        return len(got) == len(want) and all(_same_literal(a, b) for a, b in zip(got, want, strict=True))
    return bool(got == want)


class ExactChecker:
    kind = "exact"

    async def check(self, task: Task, answer: str) -> CheckResult:
        spec = task.checker
        want = spec_str(spec, "answer")
        mode = spec_str(spec, "normalize", "text")
        tag = spec_str(spec, "tag")
        text = strip_reasoning(answer)
        if tag:
            tagged = tagged_answer(text, tag)
            if tagged is None:
                return CheckResult.fail(self.kind, f"no '{tag}:' line in the answer")
            text = tagged
        if mode == "number":
            got = final_number(text)
            if got is None:
                return CheckResult.fail(self.kind, "no number in the answer")
            if got == normalize_number(want):
                return CheckResult.ok(self.kind)
            return CheckResult.fail(self.kind, f"answered {got}, expected {want}")
        if mode == "letter":
            letter = final_letter(text, spec_str(spec, "choices", "ABCD"))
            if letter == want.upper():
                return CheckResult.ok(self.kind)
            return CheckResult.fail(self.kind, f"answered {letter}, expected {want}")
        if mode == "literal":
            try:
                got_value = _literal(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return CheckResult.fail(self.kind, f"answer {text[:80]!r} is not a literal")
            if _same_literal(got_value, _literal(want)):
                return CheckResult.ok(self.kind)
            return CheckResult.fail(self.kind, f"answered {text[:80]}, expected {want}")
        got_text = text.strip().splitlines()[-1].strip() if text.strip() else ""
        if got_text.casefold() == want.strip().casefold():
            return CheckResult.ok(self.kind)
        return CheckResult.fail(self.kind, f"answered {got_text[:80]!r}, expected {want!r}")
