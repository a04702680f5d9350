"""The shipped agent suite: enough tasks per route and difficulty, two languages, provenance on
every task, and a sample per (route, difficulty, language) that is sound in the real sandbox (the
starting repository fails its grader, the reference end state passes it)."""

from __future__ import annotations

from collections import Counter

from benchroute.bench.agent.spec import AGENT_ROUTES, agent_spec
from benchroute.bench.agent.verify import verify_task
from benchroute.bench.tasks import Task

DIFFICULTIES = ("easy", "medium", "hard")


def test_at_least_20_tasks_per_route_and_difficulty_in_two_languages(agent_suite: list[Task]) -> None:
    cells = Counter((t.task_type, t.difficulty) for t in agent_suite)
    for route in AGENT_ROUTES:
        for difficulty in DIFFICULTIES:
            assert cells[(route, difficulty)] >= 20, (route, difficulty, cells[(route, difficulty)])
    languages = {(t.task_type, agent_spec(t).language) for t in agent_suite}
    for route in AGENT_ROUTES:
        assert {(route, "python"), (route, "javascript")} <= languages, route


def test_every_task_has_a_spec_provenance_and_a_permissive_license(agent_suite: list[Task]) -> None:
    for task in agent_suite:
        spec = agent_spec(task)
        assert spec.files and spec.instruction, task.id
        assert task.source and task.license in {"MIT", "Apache-2.0"}, task.id
    assert len({t.id for t in agent_suite}) == len(agent_suite)


async def test_a_sample_per_route_difficulty_and_language_is_sound(agent_suite: list[Task]) -> None:
    sample: dict[tuple[str, str, str], Task] = {}
    for task in agent_suite:
        sample.setdefault((task.task_type, task.difficulty, agent_spec(task).language), task)
    assert len(sample) == len(AGENT_ROUTES) * 3 * 2
    for key, task in sorted(sample.items()):
        verdict = await verify_task(task)
        assert not verdict.start.passed, (key, task.id, "the starting repository already passes")
        assert verdict.reference.passed, (key, task.id, verdict.reference.reason)
