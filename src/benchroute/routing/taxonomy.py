"""The routing taxonomy: what kind of task a request is, and how hard.

A leaderboard cell is one (task type, difficulty) pair, written "task_type:difficulty".
docs/taxonomy.md documents every type with examples.
"""

from __future__ import annotations

from typing import Final

TASK_TYPES: Final[tuple[str, ...]] = (
    "edit",  # small edit / rename / one-line change
    "implement",  # write new code from a description
    "debug",  # find and fix a bug, a failing test, a stack trace
    "refactor",  # restructure code without changing behaviour
    "explain",  # explain code or answer a programming question
    "plan",  # plan / architecture / migration design
    "review",  # review a change or a file
    "tests",  # write or fix tests
    "docs",  # write documentation, docstrings, READMEs, commit messages
    "general",  # not about code
    "math",  # maths and quantitative reasoning
)

DIFFICULTIES: Final[tuple[str, ...]] = ("easy", "medium", "hard")


def cell(task_type: str, difficulty: str) -> str:
    return f"{task_type}:{difficulty}"


def split_cell(cell_id: str) -> tuple[str, str]:
    task_type, _, difficulty = cell_id.partition(":")
    return task_type, difficulty


ALL_CELLS: Final[tuple[str, ...]] = tuple(cell(t, d) for t in TASK_TYPES for d in DIFFICULTIES)
