"""Shared helpers of the agent-bench tests."""

from __future__ import annotations

from benchroute.bench.tasks import Task


def pick(tasks: list[Task], prefix: str) -> Task:
    """The first task whose id starts with `prefix` (e.g. "agent/debug/py/easy/")."""
    return next(t for t in tasks if t.id.startswith(prefix))
