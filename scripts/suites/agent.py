"""The agent suite (`agent.jsonl`): tasks per route x difficulty x language, each verified when
built (the starting repository fails its grader, the reference end state passes it); a task that
is not sound is dropped and counted."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from benchroute.bench.agent.verify import verify_task
from benchroute.bench.tasks import Task

from .agent_command import command
from .agent_hep import LANGS, ROUTES, hep_rows
from .agent_refactor import refactor

PER_LANGUAGE = 12  # per route x difficulty x language: 24 per cell over Python and JavaScript
DIFFICULTIES = ("easy", "medium", "hard")
ROUTE_ORDER = ("implement", "debug", "refactor", "tests", "explain", "command")


def generate(data: Path, per_language: int = PER_LANGUAGE) -> list[Task]:
    """Every task, unverified, reproducible (seeded by route, difficulty, language)."""
    builders = {**ROUTES, "refactor": refactor}
    tasks: list[Task] = []
    for lang in LANGS:
        rows = hep_rows(data, lang)
        for route in ROUTE_ORDER:
            for difficulty in DIFFICULTIES:
                rng = random.Random(f"agent-{route}-{difficulty}-{lang.short}")
                seen: set[str] = set()
                attempts = 0
                while (
                    len([t for t in tasks if t.id.startswith(f"agent/{route}/{lang.short}/{difficulty}/")])
                    < per_language
                ):
                    attempts += 1
                    if attempts > per_language * 20:
                        break
                    if route == "command":
                        task: Task | None = command(lang, difficulty, rng, attempts)
                    else:
                        task = builders[route](lang, difficulty, rows, rng, attempts)
                    if task is not None and task.id not in seen:
                        seen.add(task.id)
                        tasks.append(task)
    return tasks


async def _verify_all(tasks: list[Task], concurrency: int = 2) -> list[Task]:
    gate = asyncio.Semaphore(concurrency)
    kept: list[Task | None] = [None] * len(tasks)

    async def one(i: int, task: Task) -> None:
        async with gate:
            verdict = await verify_task(task)
        if verdict.sound:
            kept[i] = task
        else:
            print(f"dropped {task.id}: start={verdict.start} reference={verdict.reference}", file=sys.stderr)

    await asyncio.gather(*(one(i, t) for i, t in enumerate(tasks)))
    return [t for t in kept if t is not None]


def agent_tasks(data: Path) -> list[Task]:
    """The verified agent suite."""
    return asyncio.run(_verify_all(generate(data)))
