"""Run benchmark tasks against models through providers, score them, and store the results.

Usable with any `dict[str, Provider]` (keyed by provider name, as the catalog's `ModelInfo.provider`
names them), a `Catalog` and a `Store`:

```python
runner = BenchRunner(providers, catalog, store)
summary = await runner.run(tasks, ["local/smollm2"], RunOptions(run_id="r1", concurrency=4, budget_usd=1.0))
```

Resumable: (model, suite, task) pairs already stored under the run id are skipped, and every
result is written as soon as it is scored, so an interrupted run loses only calls in flight.
Budget (this invocation's spend, see `budget.py`): before each call the estimated cost is reserved;
a call that does not fit waits for the calls in flight to settle, and the run ends with
`stopped_by_budget` only when it does not fit with nothing in flight.

Agent tasks (`checker.kind == "agent"`) run through the `agent` driver given to the runner (the
built-in tool loop or the Kilo CLI); `agent.record.for_driver` files them under `<suite>.<driver>`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from benchroute.bench.agent.driver import AgentDriver
from benchroute.bench.agent.spec import agent_spec, is_agent_task
from benchroute.bench.budget import Budget
from benchroute.bench.checkers import Checker, default_checkers, run_check
from benchroute.bench.checkers.unit_tests import available_languages
from benchroute.bench.tasks import Task
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.base import Provider, ProviderError, Target
from benchroute.store.base import BenchResult, Store

CHARS_PER_TOKEN = 4


class BenchError(Exception):
    """The run cannot start (unknown model, missing provider, nothing to run)."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    run_id: str
    concurrency: int = 4
    budget_usd: float | None = None
    max_tokens: int = 2048
    temperature: float = 0.0


@dataclass(slots=True)
class RunSummary:
    run_id: str
    planned: int = 0  # pairs this invocation set out to run
    already_done: int = 0  # pairs found in the store for this run id and skipped
    unsupported: int = 0  # pairs skipped: no checker (judge) or toolchain for them here
    done: int = 0
    passed: int = 0
    errors: int = 0  # provider failures (not stored; a rerun retries them)
    spend_usd: float = 0.0
    stopped_by_budget: bool = False
    started: float = field(default_factory=time.monotonic)
    error_samples: list[str] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.done if self.done else 0.0

    @property
    def remaining(self) -> int:
        return self.planned - self.done - self.errors

    def eta_seconds(self) -> float | None:
        finished = self.done + self.errors
        if not finished or not self.remaining:
            return None
        return (time.monotonic() - self.started) / finished * self.remaining


class ProgressSink(Protocol):
    def start(self, summary: RunSummary) -> None: ...

    def update(self, summary: RunSummary) -> None: ...

    def finish(self, summary: RunSummary) -> None: ...


class NullProgress:
    def start(self, summary: RunSummary) -> None:
        pass

    def update(self, summary: RunSummary) -> None:
        pass

    def finish(self, summary: RunSummary) -> None:
        pass


def utcnow() -> datetime:
    return datetime.now(UTC)


AGENT_PROMPT_TOKENS = 40_000  # an agent attempt's prompt tokens before any was seen (many turns)


def can_check(
    task: Task, checkers: Mapping[str, Checker], languages: frozenset[str], agent: bool = False
) -> bool:
    """Whether this machine can score the task (a judge is configured, the toolchain exists)."""
    if is_agent_task(task):
        return agent
    if task.checker_kind not in checkers:
        return False
    if task.checker_kind == "unit_tests":
        return str(task.checker.get("language", "python")) in languages
    return True


class BenchRunner:
    def __init__(
        self,
        providers: Mapping[str, Provider],
        catalog: Catalog,
        store: Store,
        checkers: Mapping[str, Checker] | None = None,
        *,
        progress: ProgressSink | None = None,
        clock: Callable[[], datetime] = utcnow,
        agent: AgentDriver | None = None,
    ) -> None:
        self.providers = providers
        self.catalog = catalog
        self.store = store
        self.checkers = dict(checkers) if checkers is not None else default_checkers()
        self.progress: ProgressSink = progress or NullProgress()
        self.clock = clock
        self.agent = agent
        self._completion_tokens: dict[str, list[int]] = {}
        self._agent_costs: dict[str, list[float]] = {}

    def _model(self, model_id: str) -> tuple[ModelInfo, Provider]:
        info = self.catalog.get(model_id)
        if info is None:
            raise BenchError(f"model {model_id!r} is not in the catalog")
        provider = self.providers.get(info.provider)
        if provider is None:
            raise BenchError(f"model {model_id!r}: provider {info.provider!r} is not configured")
        return info, provider

    async def run(self, tasks: Sequence[Task], models: Sequence[str], options: RunOptions) -> RunSummary:
        """Every task against every model (task-major, so models advance together)."""
        return await self.run_pairs([(m, t) for t in tasks for m in models], options)

    async def run_pairs(self, pairs: Sequence[tuple[str, Task]], options: RunOptions) -> RunSummary:
        for model_id in {m for m, _ in pairs}:
            self._model(model_id)
        summary = RunSummary(run_id=options.run_id)
        done = {
            (r.model, r.suite, r.task_id) for r in await self.store.list_bench_results(run_id=options.run_id)
        }
        languages = available_languages()
        todo: list[tuple[str, Task]] = []
        for model_id, task in pairs:
            if (model_id, task.suite, task.id) in done:
                summary.already_done += 1
            elif not can_check(task, self.checkers, languages, self.agent is not None):
                summary.unsupported += 1
            else:
                todo.append((model_id, task))
        summary.planned = len(todo)
        budget = Budget(options.budget_usd)
        queue: asyncio.Queue[tuple[str, Task]] = asyncio.Queue()
        for pair in todo:
            queue.put_nowait(pair)
        stop = asyncio.Event()
        self.progress.start(summary)
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(max(1, options.concurrency)):
                    group.create_task(self._worker(queue, stop, budget, options, summary))
        finally:
            self.progress.finish(summary)
        return summary

    async def _worker(
        self,
        queue: asyncio.Queue[tuple[str, Task]],
        stop: asyncio.Event,
        budget: Budget,
        options: RunOptions,
        summary: RunSummary,
    ) -> None:
        while not stop.is_set():
            try:
                model_id, task = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            info, provider = self._model(model_id)
            estimate = self.estimate_cost(info, task, options.max_tokens)
            if not await budget.reserve(estimate):
                summary.stopped_by_budget = True
                stop.set()
                return
            actual = 0.0
            try:
                result = await self._attempt(info, provider, task, options)
            except ProviderError as exc:
                self._count_error(summary, f"{model_id} {task.id}: {exc.kind}: {exc.message}")
            except Exception as exc:  # an upstream quirk must not end a long run; a rerun retries it
                self._count_error(summary, f"{model_id} {task.id}: {type(exc).__name__}: {exc}")
            else:
                actual = result.cost_usd
                await self.store.write_bench_results([result])
                summary.done += 1
                summary.passed += int(result.passed)
            finally:
                await budget.settle(estimate, actual)
                summary.spend_usd = budget.spent
            self.progress.update(summary)

    @staticmethod
    def _count_error(summary: RunSummary, message: str) -> None:
        summary.errors += 1
        if len(summary.error_samples) < 10:
            summary.error_samples.append(message[:300])

    def estimate_cost(self, info: ModelInfo, task: Task, max_tokens: int) -> float:
        """Prompt tokens from its length; completion tokens from this model's answers so far
        (x1.5, capped at max_tokens), or max_tokens before the first answer."""
        if is_agent_task(task):
            costs = self._agent_costs.get(info.id)
            if costs:
                return 1.5 * sum(costs) / len(costs)
            return info.cost(AGENT_PROMPT_TOKENS, max_tokens)
        prompt_tokens = task.prompt_chars() // CHARS_PER_TOKEN + 16
        seen = self._completion_tokens.get(info.id)
        cap = task.max_tokens or max_tokens
        completion = min(cap, int(1.5 * sum(seen) / len(seen)) + 1) if seen else cap
        return info.cost(prompt_tokens, completion)

    async def _attempt(
        self, info: ModelInfo, provider: Provider, task: Task, options: RunOptions
    ) -> BenchResult:
        if is_agent_task(task) and self.agent is not None:
            return await self._agent_attempt(info, provider, task, options)
        request = task.to_request(info.id, max_tokens=options.max_tokens, temperature=options.temperature)
        target = Target.of(info)
        started = time.monotonic()
        response = await provider.complete(request, target)
        latency_ms = (time.monotonic() - started) * 1000
        answer = response.message.text
        usage = response.usage
        prompt_tokens = usage.prompt_tokens or task.prompt_chars() // CHARS_PER_TOKEN
        completion_tokens = usage.completion_tokens or len(answer) // CHARS_PER_TOKEN
        self._completion_tokens.setdefault(info.id, []).append(completion_tokens)
        check = await run_check(self.checkers, task, answer)
        return BenchResult(
            run_id=options.run_id,
            suite=task.suite,
            task_id=task.id,
            model=info.id,
            provider=info.provider,
            task_type=task.task_type,
            difficulty=task.difficulty,
            score=check.score,
            passed=check.passed,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=info.cost(prompt_tokens, completion_tokens, usage.cached_tokens),
            latency_ms=latency_ms,
            time=self.clock(),
            checker=check.checker or task.checker_kind,
            reason=check.reason,
            source=task.provenance,
        )

    async def _agent_attempt(
        self, info: ModelInfo, provider: Provider, task: Task, options: RunOptions
    ) -> BenchResult:
        assert self.agent is not None
        outcome = await self.agent.attempt(agent_spec(task), info, provider)
        stats = outcome.stats
        cost = info.cost(stats.prompt_tokens, stats.completion_tokens, stats.cached_tokens)
        self._agent_costs.setdefault(info.id, []).append(cost)
        return BenchResult(
            run_id=options.run_id,
            suite=task.suite,
            task_id=task.id,
            model=info.id,
            provider=info.provider,
            task_type=task.task_type,
            difficulty=task.difficulty,
            score=1.0 if outcome.grade.passed else 0.0,
            passed=outcome.grade.passed,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            cost_usd=cost,
            latency_ms=stats.wall_s * 1000,
            time=self.clock(),
            checker=f"agent:{outcome.grade.grader}",
            reason=outcome.grade.reason,
            source=task.provenance,
            agent_stats=stats.to_dict(),
        )
