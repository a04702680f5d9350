"""The routing taxonomy: what kind of task a request is (its route), and how hard.

A leaderboard cell is one (task type, difficulty) pair, written "task_type:difficulty".
docs/taxonomy.md documents every route with its labelling rubric and examples.
"""

from __future__ import annotations

from typing import Final

TASK_TYPES: Final[tuple[str, ...]] = (
    "implement",  # write new code / features / small edits (the old `edit` type folds in here)
    "debug",  # fix a bug, a failing test, a traceback, error output; root-cause analysis
    "refactor",  # restructure without behaviour change, cleanup, moving code across modules
    "tests",  # write or extend tests
    "plan",  # planning / design / architecture / migration plan (no code yet)
    "explain",  # investigation: locate, explain code, answer a programming question, research
    "review",  # review a diff / file / PR
    "docs",  # docstrings, README, comments, commit messages, changelogs
    "command",  # running commands / terminal / shell / build / ops work
    "general",  # not about code
)

DIFFICULTIES: Final[tuple[str, ...]] = ("easy", "medium", "hard")

SUBTYPES: Final[dict[str, tuple[str, ...]]] = {
    "implement": ("feature", "edit", "generate"),
    "debug": ("fix", "test_repair", "root_cause"),
    "refactor": ("cleanup", "restructure", "migrate"),
    "tests": ("write", "extend"),
    "plan": ("design", "migration", "breakdown"),
    "explain": ("locate", "explain", "research"),
    "review": ("diff", "file"),
    "docs": ("docstring", "readme", "commit_message"),
    "command": ("run", "setup", "ops"),
    "general": (),
}

CODING_ROUTES: Final[tuple[str, ...]] = tuple(t for t in TASK_TYPES if t != "general")

# Names used by older suites, bench results and leaderboard files.
LEGACY_TASK_TYPES: Final[dict[str, str]] = {"edit": "implement", "math": "general"}


def normalize_task_type(name: str) -> str:
    """The current route for `name`: legacy names are mapped, known names returned unchanged."""
    if name in TASK_TYPES:
        return name
    if name in LEGACY_TASK_TYPES:
        return LEGACY_TASK_TYPES[name]
    raise ValueError(f"unknown task type {name!r}; known: {', '.join(TASK_TYPES)}")


def cell(task_type: str, difficulty: str) -> str:
    return f"{task_type}:{difficulty}"


def split_cell(cell_id: str) -> tuple[str, str]:
    task_type, _, difficulty = cell_id.partition(":")
    return task_type, difficulty


ALL_CELLS: Final[tuple[str, ...]] = tuple(cell(t, d) for t in TASK_TYPES for d in DIFFICULTIES)
