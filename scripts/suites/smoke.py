"""`smoke`: a small suite picked from the others, for CI runs against a small local model."""

from __future__ import annotations

from collections.abc import Mapping

from benchroute.bench.tasks import Task


def smoke_suite(suites: Mapping[str, list[Task]], per_type: int = 2) -> list[Task]:
    """Up to `per_type` easy, fast, Python-or-text tasks per task type, from the suites in name order."""
    picked: list[Task] = []
    counts: dict[str, int] = {}
    for name in sorted(suites):
        for task in suites[name]:
            if task.checker_kind in ("judge", "agent") or task.checker.get("language", "python") != "python":
                continue
            if task.difficulty != "easy" or counts.get(task.task_type, 0) >= per_type:
                continue
            counts[task.task_type] = counts.get(task.task_type, 0) + 1
            doc = task.to_dict()
            doc["suite"] = "smoke"
            picked.append(Task.from_dict(doc))
    return picked
