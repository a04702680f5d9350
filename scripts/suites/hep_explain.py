"""`humanevalpack_explain` (explain): say what a HumanEvalPack Python solution does, then the value of a call.

The call and its value come from the first `assert f(...) == <literal>` in the row's example test;
rows without one are left out. Scored by exact comparison of the `ANSWER:` literal.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task

from .common import code_difficulty, fenced, task_number
from .humanevalpack import HEPACK, hepack_rows


def first_literal_assert(example_test: str, entry: str) -> tuple[str, str] | None:
    """The first `assert name(args) == literal` as (`entry(args)`, repr of the literal), if any."""
    try:
        tree = ast.parse(example_test)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert) or not isinstance(node.test, ast.Compare):
            continue
        cmp = node.test
        if len(cmp.ops) != 1 or not isinstance(cmp.ops[0], ast.Eq):
            continue
        call, expected = cmp.left, cmp.comparators[0]
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            continue
        try:
            value = ast.literal_eval(expected)
        except ValueError:
            continue
        call.func.id = entry
        return ast.unparse(call), repr(value)
    return None


def _explain(row: dict[str, Any]) -> Task | None:
    entry = row["entry_point"]
    found = first_literal_assert(row["example_test"].replace("candidate", entry), entry)
    if found is None:
        return None
    call, answer = found
    code = row["declaration"] + row["canonical_solution"]
    return HEPACK.task(
        id=f"hep-explain/python/{task_number(row)}",
        suite="humanevalpack_explain",
        task_type="explain",
        difficulty=code_difficulty(row["canonical_solution"]),
        prompt=(
            f"Explain what this Python code does, step by step.\n\n{fenced('python', code)}\n\n"
            f"Then work out what `{call}` returns. End your reply with a final line of the form\n"
            "ANSWER: <the value as a Python literal>"
        ),
        checker={"kind": "exact", "normalize": "literal", "tag": "ANSWER", "answer": answer},
        reference=f"It computes the result.\nANSWER: {answer}",
    )


def hepack_explain(data: Path) -> list[Task]:
    """`humanevalpack_explain`: one task per Python problem whose example test has a literal assert."""
    return [task for row in hepack_rows(data, "python") if (task := _explain(row)) is not None]
