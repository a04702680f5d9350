"""`arena_hard` (implement, hard): real-world coding requests, scored by an LLM judge.

Source: Arena-Hard-Auto v2.0 (github.com/lmarena/arena-hard-auto, Apache-2.0), the `coding`
subcategory of `arena_hard/question_v2.0.jsonl`. The tasks carry no reference answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from benchroute.bench.tasks import Task

from .common import Source, read_jsonl, take

ARENA = Source("lmarena/arena-hard-auto v2.0", "Apache-2.0")


def _arena_hard(data: Path) -> Iterator[Task]:
    for row in read_jsonl(data / "arena_hard" / "question_v2.0.jsonl"):
        if row.get("subcategory") != "coding":
            continue
        yield ARENA.task(
            id=f"arena-hard/{row['uid']}",
            suite="arena_hard",
            task_type="implement",
            difficulty="hard",
            prompt=row["prompt"],
            checker={
                "kind": "judge",
                "rubric": "A hard real-world coding request: working, complete code matters most.",
            },
        )


def arena_hard_tasks(data: Path, limit: int = 100) -> list[Task]:
    """`arena_hard`: the first `limit` coding questions, in file order."""
    return take(_arena_hard(data), limit)
