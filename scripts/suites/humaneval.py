"""HumanEval (github.com/openai/human-eval, MIT): 164 Python problems with tests and solutions.

Read from `humaneval/HumanEval.jsonl.gz`. This module builds the `humaneval` suite (implement the
function) and holds the helpers the suites generated from the same problems share (refactor, edits,
docstrings).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task

from .common import Source, code_difficulty, fenced, read_jsonl, task_number

HUMANEVAL = Source("openai/human-eval", "MIT")


def humaneval_rows(data: Path) -> list[dict[str, Any]]:
    """Every HumanEval problem: task_id, prompt, canonical_solution, test, entry_point."""
    return list(read_jsonl(data / "humaneval" / "HumanEval.jsonl.gz"))


def module_of(row: dict[str, Any]) -> str:
    """The problem's reference module: its prompt (imports, signature, docstring) and solution."""
    return str(row["prompt"] + row["canonical_solution"])


def check_tests(row: dict[str, Any], entry: str) -> str:
    """The problem's tests, run against the function named `entry`."""
    return str(row["test"]) + f"\n\ncheck({entry})\n"


def entry_def(tree: ast.Module, entry: str) -> ast.FunctionDef | None:
    """The top-level function named `entry`, if the module has one."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry:
            return node
    return None


def _implement(row: dict[str, Any]) -> Task:
    entry = row["entry_point"]
    prompt = row["prompt"]
    return HUMANEVAL.task(
        id=f"humaneval/{task_number(row)}",
        suite="humaneval",
        task_type="implement",
        difficulty=code_difficulty(row["canonical_solution"]),
        prompt=(
            "Complete the following Python function. Reply with the complete function "
            f"(signature included) in one ```python block.\n\n{fenced('python', prompt)}"
        ),
        checker={
            "kind": "unit_tests",
            "language": "python",
            "tests": check_tests(row, entry),
            "entry_point": entry,
            "prompt": prompt,
        },
        reference=fenced("python", prompt + row["canonical_solution"]),
    )


def humaneval(data: Path) -> list[Task]:
    """`humaneval`: complete each function from its signature and docstring; scored by its unit tests."""
    return [_implement(row) for row in humaneval_rows(data)]
