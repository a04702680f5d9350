"""The runner against FakeProvider and MemoryStore: counts, budget stop, resume, provider errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from benchroute.bench.checkers import default_checkers
from benchroute.bench.runner import BenchError, BenchRunner, RunOptions, RunSummary
from benchroute.bench.tasks import Task
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.base import ProviderError, Target
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.store.memory import MemoryStore
from benchroute.wire.canonical import ChatRequest, ChatResponse, StreamEvent


def regex_task(n: int, answer_passes: bool, task_type: str = "implement", difficulty: str = "easy") -> Task:
    """The fake echoes the prompt back; the checker passes when the echo contains PASS."""
    word = "PASS" if answer_passes else "FAIL"
    return Task(
        id=f"t/{n}",
        suite="unit",
        task_type=task_type,
        difficulty=difficulty,
        messages=({"role": "user", "content": f"{word} task {n}"},),
        checker={"kind": "regex", "pattern": r"\bPASS\b"},
        source="test",
        license="MIT",
    )


def catalog(input_price: float = 1.0, output_price: float = 2.0) -> Catalog:
    return Catalog(
        [
            ModelInfo(
                id="fk/a", provider="fk", upstream_id="a", input_price=input_price, output_price=output_price
            ),
            ModelInfo(
                id="fk/b", provider="fk", upstream_id="b", input_price=input_price, output_price=output_price
            ),
            ModelInfo(id="other/c", provider="missing", upstream_id="c"),
        ]
    )


async def test_exact_pass_and_fail_counts_are_stored_per_model() -> None:
    tasks = [regex_task(i, i % 3 != 0) for i in range(12)]  # 8 pass, 4 fail
    provider = FakeProvider("fk")
    store = MemoryStore()
    runner = BenchRunner({"fk": provider}, catalog(), store)
    summary = await runner.run(tasks, ["fk/a", "fk/b"], RunOptions(run_id="r1", concurrency=3))
    assert (summary.done, summary.passed, summary.errors) == (24, 16, 0)
    assert summary.pass_rate == pytest.approx(16 / 24)
    stored = await store.list_bench_results(run_id="r1")
    assert len(stored) == 24
    for model in ("fk/a", "fk/b"):
        mine = [r for r in stored if r.model == model]
        assert sum(r.passed for r in mine) == 8
        assert {r.task_id for r in mine} == {t.id for t in tasks}
    first = next(r for r in stored if r.model == "fk/a" and r.task_id == "t/0")
    assert (first.checker, first.passed, first.provider, first.source) == ("regex", False, "fk", "test (MIT)")
    assert "does not match" in first.reason
    # cost from catalog prices and the provider's usage
    assert first.cost_usd == pytest.approx((first.prompt_tokens * 1.0 + first.completion_tokens * 2.0) / 1e6)
    assert summary.spend_usd == pytest.approx(sum(r.cost_usd for r in stored))
    # the upstream saw the catalog's upstream id
    assert {t.upstream_model for _, t in provider.requests} == {"a", "b"}


async def test_budget_stop_starts_no_call_that_could_pass_the_budget() -> None:
    tasks = [regex_task(i, True) for i in range(50)]
    provider = FakeProvider("fk")
    store = MemoryStore()
    runner = BenchRunner({"fk": provider}, catalog(input_price=1000.0, output_price=1000.0), store)
    options = RunOptions(run_id="b1", concurrency=1, budget_usd=0.1, max_tokens=10)
    summary = await runner.run(tasks, ["fk/a"], options)
    assert summary.stopped_by_budget
    assert 0 < summary.done < 50
    assert provider.calls == summary.done  # no call started after the stop
    assert summary.spend_usd <= 0.1
    info = catalog(1000.0, 1000.0).get("fk/a")
    assert info is not None
    next_task = tasks[summary.done]
    assert summary.spend_usd + runner.estimate_cost(info, next_task, 10) > 0.1
    assert summary.remaining == 50 - summary.done


async def test_budget_holds_with_concurrent_calls() -> None:
    tasks = [regex_task(i, True) for i in range(40)]
    provider = FakeProvider("fk", [Reply(text="PASS", delay=0.01) for _ in range(40)])
    runner = BenchRunner({"fk": provider}, catalog(1000.0, 1000.0), MemoryStore())
    summary = await runner.run(
        tasks, ["fk/a"], RunOptions("b2", concurrency=8, budget_usd=0.05, max_tokens=10)
    )
    assert summary.stopped_by_budget
    assert summary.spend_usd <= 0.05


class SignalAfter:
    """A progress sink that signals once `count` results are scored."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.reached = asyncio.Event()

    def start(self, summary: RunSummary) -> None:
        pass

    def update(self, summary: RunSummary) -> None:
        if summary.done >= self.count:
            self.reached.set()

    def finish(self, summary: RunSummary) -> None:
        pass


async def test_resume_after_cancellation_does_no_task_twice() -> None:
    tasks = [regex_task(i, True) for i in range(30)]
    store = MemoryStore()
    first = FakeProvider("fk", [Reply(text="PASS", delay=0.02) for _ in range(60)])
    progress = SignalAfter(8)
    runner = BenchRunner({"fk": first}, catalog(), store, progress=progress)
    job = asyncio.create_task(runner.run(tasks, ["fk/a"], RunOptions(run_id="res", concurrency=3)))
    await asyncio.wait_for(progress.reached.wait(), 10)
    job.cancel()  # interrupt midway, with calls in flight
    with pytest.raises(asyncio.CancelledError):
        await job
    done_before = {r.task_id for r in await store.list_bench_results(run_id="res")}
    assert 8 <= len(done_before) < 30

    second = FakeProvider("fk")  # echoes "PASS task n"
    resumed = BenchRunner({"fk": second}, catalog(), store)
    summary = await resumed.run(tasks, ["fk/a"], RunOptions(run_id="res", concurrency=3))
    assert summary.already_done == len(done_before)
    assert summary.done == 30 - len(done_before)
    asked_again = {req.messages[0].text for req, _ in second.requests}
    assert not any(
        f"task {tid.split('/')[1]}" == text.split(" ", 1)[1] for tid in done_before for text in asked_again
    )
    stored = await store.list_bench_results(run_id="res")
    assert sorted(r.task_id for r in stored) == sorted(t.id for t in tasks)  # each exactly once


async def test_provider_errors_are_counted_not_stored_and_retried_on_resume() -> None:
    tasks = [regex_task(i, True) for i in range(4)]
    provider = FakeProvider("fk", [ProviderError("server", "boom", status=500), "PASS", "PASS", "PASS"])
    store = MemoryStore()
    runner = BenchRunner({"fk": provider}, catalog(), store)
    summary = await runner.run(tasks, ["fk/a"], RunOptions(run_id="e1", concurrency=1))
    assert (summary.done, summary.errors) == (3, 1)
    assert "server: boom" in summary.error_samples[0]
    again = await runner.run(tasks, ["fk/a"], RunOptions(run_id="e1", concurrency=1))
    assert (again.already_done, again.done) == (3, 1)
    assert len(await store.list_bench_results(run_id="e1")) == 4


async def test_judge_tasks_are_skipped_without_a_judge() -> None:
    judge_task = Task(
        id="j/1",
        suite="unit",
        task_type="implement",
        difficulty="hard",
        messages=({"role": "user", "content": "write a compiler"},),
        checker={"kind": "judge"},
    )
    provider = FakeProvider("fk")
    runner = BenchRunner({"fk": provider}, catalog(), MemoryStore(), default_checkers())
    summary = await runner.run([judge_task, regex_task(1, True)], ["fk/a"], RunOptions(run_id="j"))
    assert (summary.unsupported, summary.done, provider.calls) == (1, 1, 1)


async def test_unknown_model_or_provider_is_an_error_before_any_call() -> None:
    runner = BenchRunner({"fk": FakeProvider("fk")}, catalog(), MemoryStore())
    with pytest.raises(BenchError, match="not in the catalog"):
        await runner.run([regex_task(1, True)], ["nope/x"], RunOptions(run_id="x"))
    with pytest.raises(BenchError, match="provider 'missing'"):
        await runner.run([regex_task(1, True)], ["other/c"], RunOptions(run_id="x"))


async def test_reference_answers_pass_the_real_checkers_on_the_smoke_suite() -> None:
    from benchroute.bench.tasks import load_suite

    smoke = load_suite("smoke")
    replies: list[str] = []
    for task in smoke:  # task-major order: model a gets the reference, model b a shrug
        replies += [str(task.meta["reference"]), "I don't know."]
    store = MemoryStore()
    runner = BenchRunner({"fk": FakeProvider("fk", replies)}, catalog(), store)
    summary = await runner.run(smoke, ["fk/a", "fk/b"], RunOptions(run_id="ref", concurrency=1))
    assert summary.done == 2 * len(smoke)
    stored = await store.list_bench_results(run_id="ref")
    by_model = {m: [r for r in stored if r.model == m] for m in ("fk/a", "fk/b")}
    assert [r.task_id for r in by_model["fk/a"] if not r.passed] == []
    assert sum(r.passed for r in by_model["fk/b"]) == 0
    assert {r.checker for r in stored} == {t.checker_kind for t in smoke}


class BrokenUpstream:
    """A provider failing with something other than ProviderError (a bug or an unwrapped error)."""

    name = "fk"

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        raise ValueError("unexpected payload")

    def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError

    async def list_models(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        pass


async def test_unexpected_provider_exceptions_count_as_errors_and_the_run_goes_on() -> None:
    runner = BenchRunner({"fk": BrokenUpstream()}, catalog(), MemoryStore())
    summary = await runner.run([regex_task(i, True) for i in range(3)], ["fk/a"], RunOptions(run_id="x"))
    assert (summary.done, summary.errors) == (0, 3)
    assert "ValueError: unexpected payload" in summary.error_samples[0]


def test_rich_progress_shows_done_pass_rate_and_spend() -> None:
    import io

    from rich.console import Console

    from benchroute.bench.progress import RichProgress

    out = io.StringIO()
    progress = RichProgress(Console(file=out, width=160, force_terminal=False))
    summary = RunSummary(run_id="p1", planned=4)
    progress.start(summary)
    summary.done, summary.passed, summary.spend_usd = 3, 2, 0.0123
    progress.update(summary)
    progress.finish(summary)
    text = out.getvalue()
    assert "p1" in text and "3/4" in text and "66.7%" in text and "0.0123" in text
