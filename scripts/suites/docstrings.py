"""`docstrings` (docs): document HumanEval's reference modules with their docstrings removed.

Checked by AST (a docstring on every function, code otherwise unchanged) and the problem's tests.
Difficulty is the tercile of the bare module's length.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task

from .common import by_tercile, fenced, task_number
from .humaneval import HUMANEVAL, check_tests, humaneval_rows, module_of

SOURCE = HUMANEVAL.derived("")


def strip_docstrings(code: str) -> str:
    """`code` without module, class and function docstrings (an emptied body becomes `pass`)."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Module):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def with_docstrings(code: str) -> str:
    """`code` with a placeholder docstring on every function and class lacking one."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not ast.get_docstring(node):
            node.body.insert(0, ast.Expr(ast.Constant(f"Compute {node.name.replace('_', ' ')}.")))
    return ast.unparse(tree)


def _docstring(row: dict[str, Any], bare: str, difficulty: str) -> Task:
    entry = row["entry_point"]
    return SOURCE.task(
        id=f"docs/{int(task_number(row))}",
        suite="docstrings",
        task_type="docs",
        difficulty=difficulty,
        prompt=(
            "Add a clear docstring to every function in this module (what it does, its parameters, "
            "what it returns). Do not change the code itself. Reply with the whole module in one "
            f"```python block.\n\n{fenced('python', bare)}"
        ),
        checker={
            "kind": "ast",
            "language": "python",
            "require_docstrings": True,
            "require_functions": [entry],
            "rename_of": {"original": bare, "renames": {}},
            "tests": check_tests(row, entry),
        },
        reference=fenced("python", with_docstrings(bare)),
    )


def docstring_tasks(data: Path) -> list[Task]:
    """`docstrings`: one task per HumanEval problem."""
    rows = humaneval_rows(data)
    bare = [strip_docstrings(module_of(row)) for row in rows]
    level = by_tercile([len(code) for code in bare])
    return [_docstring(row, code, level(len(code))) for row, code in zip(rows, bare, strict=True)]
