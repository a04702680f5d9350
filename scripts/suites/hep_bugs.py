"""Suites on HumanEvalPack's buggy solutions: catch the bug with a test, or find it in a review.

- `tests` (tests): write `check(candidate)` that passes the correct Python solution and fails the
  buggy one (the `bug_catch` checker runs it against both).
- `review` (review): the buggy Python or JavaScript solution as a pull-request diff; name the line of
  the bug. Only bugs that change one to three lines are used.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task

from .common import code_difficulty, fenced, task_number
from .humanevalpack import HEPACK, clean_declaration, hepack_rows


def _bug_catch(row: dict[str, Any]) -> Task:
    entry = row["entry_point"]
    buggy = row["declaration"] + row["buggy_solution"]
    reference = re.sub(rf"^check\({entry}\)\s*$", "", row["test"], flags=re.M)
    return HEPACK.task(
        id=f"tests/python/{task_number(row)}",
        suite="tests",
        task_type="tests",
        difficulty=code_difficulty(row["canonical_solution"]),
        prompt=(
            f"This is the specification of `{entry}`:\n\n{row['docstring']}\n\nThe implementation "
            f"below has a bug.\n\n{fenced('python', buggy)}\n\nWrite a test function "
            "`check(candidate)` that uses `assert` statements and passes for a correct "
            "implementation of the specification but fails for this one. Do not include any "
            "implementation and do not call `check` yourself. Reply with one ```python block."
        ),
        checker={
            "kind": "bug_catch",
            "language": "python",
            "entry_point": entry,
            "correct": row["declaration"] + row["canonical_solution"],
            "buggy": buggy,
        },
        reference=fenced("python", reference),
    )


def bug_catch_tasks(data: Path) -> list[Task]:
    """`tests`: one bug-catching test per Python problem."""
    return [_bug_catch(row) for row in hepack_rows(data, "python")]


def bug_lines(good: list[str], bad: list[str]) -> list[int]:
    """The 1-based lines of `bad` that differ from `good` (for a deletion: the lines around the gap)."""
    lines: set[int] = set()
    matcher = difflib.SequenceMatcher(a=good, b=bad, autojunk=False)
    for op, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "insert"):
            lines.update(range(j1 + 1, j2 + 1))
        elif op == "delete":  # missing logic: accept the lines around the gap
            lines.update(x for x in (j1, j1 + 1) if 1 <= x <= len(bad))
    return sorted(lines)


def _review(language: str, row: dict[str, Any]) -> Task | None:
    decl = clean_declaration(language, row["declaration"])
    good = (decl + row["canonical_solution"]).splitlines()
    bad = (decl + row["buggy_solution"]).splitlines()
    lines = bug_lines(good, bad)
    if not lines or len(lines) > 3:
        return None
    name = f"solution.{'py' if language == 'python' else 'js'}"
    diff = "\n".join([f"--- /dev/null\n+++ b/{name}\n@@ -0,0 +1,{len(bad)} @@"] + [f"+{ln}" for ln in bad])
    numbered = "\n".join(f"{i:>3}: {ln}" for i, ln in enumerate(bad, 1))
    alternatives = "|".join(str(x) for x in lines)
    return HEPACK.task(
        id=f"review/{language}/{task_number(row)}",
        suite="review",
        task_type="review",
        difficulty=code_difficulty(row["canonical_solution"]),
        prompt=(
            f"Review this pull request. `{row['entry_point']}` should do the following:\n\n"
            f"{row['docstring']}\n\n```diff\n{diff}\n```\n\nThe same file with line numbers:\n\n"
            f"```\n{numbered}\n```\n\nThe change has one bug. Explain it briefly, then end "
            "with a final line `LINE: <number>` giving the line of the new file where the bug is."
        ),
        checker={"kind": "regex", "pattern": rf"LINE:\s*\**\s*(?:{alternatives})\b(?!\.\d)"},
        reference=f"The condition is wrong.\nLINE: {lines[0]}",
    )


def review_tasks(data: Path) -> list[Task]:
    """`review`: Python then JavaScript problems whose bug touches one to three lines."""
    return [
        task
        for language in ("python", "js")
        for row in hepack_rows(data, language)
        if (task := _review(language, row)) is not None
    ]
