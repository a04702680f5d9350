"""The shipped suites: they load, cover the taxonomy, carry provenance, and their reference
answers pass their own checkers (a sample per suite and language, in the real sandbox)."""

from __future__ import annotations

from collections import Counter

import pytest

from benchroute.bench.checkers import default_checkers, run_check
from benchroute.bench.checkers.unit_tests import available_languages
from benchroute.bench.tasks import (
    Task,
    TaskError,
    load_suite,
    load_suites,
    parse_tasks,
    sample_tasks,
    shipped_suites,
)
from benchroute.routing.taxonomy import TASK_TYPES

ALLOWED_LICENSES = {"MIT", "Apache-2.0"}


@pytest.fixture(scope="module")
def every_task() -> list[Task]:
    return load_suites(["all"])


def test_every_task_type_has_tasks(every_task: list[Task]) -> None:
    counts = Counter(t.task_type for t in every_task)
    assert set(TASK_TYPES) <= set(counts), set(TASK_TYPES) - set(counts)
    assert min(counts[t] for t in TASK_TYPES) >= 20
    assert len({t.cell for t in every_task}) >= 25


def test_tasks_record_source_and_an_allowed_license(every_task: list[Task]) -> None:
    for task in every_task:
        assert task.source, task.id
        assert task.license in ALLOWED_LICENSES, (task.id, task.license)
    ids = [(t.suite, t.id) for t in every_task]
    assert len(ids) == len(set(ids))


def test_judge_tasks_are_only_the_judge_suite(every_task: list[Task]) -> None:
    assert {t.suite for t in every_task if t.checker_kind == "judge"} == {"arena_hard"}


def test_smoke_suite_is_small_and_covers_every_single_turn_type(every_task: list[Task]) -> None:
    """The smoke suite is single-turn: it covers every route that has single-turn tasks (the
    `command` route is measured only through agent tasks, which need a driver)."""
    smoke = load_suite("smoke")
    assert len(smoke) <= 40
    single_turn = {t.task_type for t in every_task if t.checker_kind not in ("judge", "agent")}
    assert {t.task_type for t in smoke} == single_turn
    assert single_turn == set(TASK_TYPES) - {"command"}


def _sample(tasks: list[Task]) -> list[Task]:
    picked: dict[tuple[str, str], Task] = {}
    for task in tasks:
        key = (task.suite, str(task.checker.get("language", "")))
        if key not in picked and task.checker_kind not in ("judge", "agent"):  # agent: tests/bench_agent
            picked[key] = task
    languages = available_languages()
    return [t for t in picked.values() if t.checker.get("language", "python") in languages]


async def test_reference_answers_pass_and_wrong_answers_fail(every_task: list[Task]) -> None:
    checkers = default_checkers()
    for task in _sample(every_task):
        good = await run_check(checkers, task, str(task.meta["reference"]))
        assert good.passed, (task.id, good.reason)
        bad = await run_check(checkers, task, "I am not sure.")
        assert not bad.passed, task.id


def test_sample_is_reproducible_and_stratified(every_task: list[Task]) -> None:
    a = sample_tasks(every_task, 60, seed=1)
    b = sample_tasks(every_task, 60, seed=1)
    assert [t.id for t in a] == [t.id for t in b]
    assert len(a) == 60
    assert len({t.cell for t in a}) >= 25


def test_malformed_task_lines_are_rejected() -> None:
    good = (
        '{"id": "a", "suite": "s", "task_type": "edit", "difficulty": "easy", '
        '"messages": [{"role": "user", "content": "x"}], "checker": {"kind": "exact", "answer": "1"}}'
    )
    assert parse_tasks([good])[0].cell == "implement:easy"  # legacy "edit" is read as implement
    with pytest.raises(TaskError, match="unknown task_type"):
        parse_tasks([good.replace('"edit"', '"poetry"')])
    with pytest.raises(TaskError, match="checker kind"):
        parse_tasks([good.replace('"exact"', '"vibes"')])
    with pytest.raises(TaskError, match="not JSON"):
        parse_tasks(["{oops"])
    with pytest.raises(TaskError, match="no suite"):
        load_suite("does-not-exist")
    assert "humaneval" in shipped_suites()
