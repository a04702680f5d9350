"""`--verify`: score each task's reference answer with the real checkers, in the sandbox."""

from __future__ import annotations

import asyncio
import sys

from benchroute.bench.checkers import default_checkers, run_check
from benchroute.bench.tasks import Task


async def verify(tasks: list[Task], concurrency: int = 2) -> list[Task]:
    """The tasks whose reference passes (or that have none, or are judged), in their order.

    Each dropped task is reported on stderr with the checker's reason.
    """
    checkers = default_checkers()
    sem = asyncio.Semaphore(concurrency)
    kept: list[Task | None] = [None] * len(tasks)

    async def one(i: int, task: Task) -> None:
        reference = task.meta.get("reference")
        if task.checker_kind in ("judge", "agent") or reference is None:  # agent tasks verify when built
            kept[i] = task
            return
        async with sem:
            result = await run_check(checkers, task, str(reference))
        if result.passed:
            kept[i] = task
        else:
            print(f"  drop {task.id}: {result.reason[:160]}", file=sys.stderr)

    await asyncio.gather(*(one(i, t) for i, t in enumerate(tasks)))
    return [t for t in kept if t is not None]
