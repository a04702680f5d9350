"""Both agent drivers against the real gateway on loopback, in front of a scripted upstream that
plays a trajectory: a correct tool-using one passes the task, a wrong or malformed one fails it
with the grader's reason and the malformed calls counted; the gateway records the traffic."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from agent_harness import pick
from dialects_harness import Served, serving

from benchroute.bench.agent.kilo import KiloDriver, KiloOptions
from benchroute.bench.agent.loop import BuiltinDriver
from benchroute.bench.agent.record import AgentStats, for_driver, stats_of
from benchroute.bench.agent.spec import agent_spec
from benchroute.bench.runner import BenchRunner, RunOptions
from benchroute.bench.tasks import Task
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.http import create_session
from benchroute.providers.openai_compat import OpenAICompatProvider
from benchroute.store.base import BenchResult
from benchroute.store.memory import MemoryStore
from support.upstream import Script

MODEL = "oai/small"  # the harness's catalog id for the scripted upstream


def call(name: str, **args: str) -> Script:
    return Script(tool_calls=[(name, json.dumps(args))])


def correct_builtin(task: Task) -> list[Script]:
    """Look around, write the reference end state, run the hidden-test-like check, finish."""
    spec = agent_spec(task)
    [(path, text)] = spec.reference_files().items()
    return [
        call("list_files"),
        call("read_file", path=path),
        call("write_file", path=path, content=text),
        call("run_command", command="ls"),
        Script(text="Fixed the bug."),
    ]


@asynccontextmanager
async def bench(tmp_path: Path, driver: object) -> AsyncIterator[tuple[Served, BenchRunner, MemoryStore]]:
    async with serving(tmp_path) as gw, create_session() as http:
        provider = OpenAICompatProvider("gateway", gw.base_url + "/v1", http, api_key=gw.key)
        info = ModelInfo(id=MODEL, provider="gateway", upstream_id=MODEL, input_price=1.0, output_price=4.0)
        store = MemoryStore()
        yield gw, BenchRunner({"gateway": provider}, Catalog([info]), store, agent=driver), store  # type: ignore[arg-type]


async def run_one(
    runner: BenchRunner, store: MemoryStore, task: Task, driver: str
) -> tuple[BenchResult, str, AgentStats]:
    [labelled] = for_driver([task], driver)
    summary = await runner.run([labelled], [MODEL], RunOptions(run_id="t", concurrency=1))
    assert (summary.done, summary.errors) == (1, 0), summary.error_samples
    [result] = await store.list_bench_results(run_id="t")
    assert result.suite == f"agent.{driver}" and result.checker.startswith("agent:")
    reason, stats = result.reason, stats_of(result)
    assert stats is not None and stats.driver == driver
    assert result.agent_stats == stats.to_dict() and "⟦" not in reason  # a column, not a reason suffix
    return result, reason, stats


async def test_builtin_correct_trajectory_passes_through_the_gateway(
    tmp_path: Path, agent_suite: list[Task]
) -> None:
    task = pick(agent_suite, "agent/debug/py/easy/")
    async with bench(tmp_path, BuiltinDriver()) as (gw, runner, store):
        gw.upstream.add(*correct_builtin(task))
        result, reason, stats = await run_one(runner, store, task, "builtin")
        usage = await gw.usage()
    assert result.passed and reason == "", reason
    assert (stats.turns, stats.tool_calls, stats.malformed) == (5, 4, {})
    assert result.prompt_tokens == stats.prompt_tokens > 0 and result.cost_usd > 0
    assert [r.status for r in usage] == [200] * 5 and {r.routed_model for r in usage} == {MODEL}
    sent = [r.body for r in gw.upstream.requests if r.path.endswith("/chat/completions")]
    assert {t["function"]["name"] for t in sent[0]["tools"]} >= {"read_file", "apply_diff", "run_command"}
    assert sent[-1]["messages"][-1]["role"] == "tool"


async def test_builtin_wrong_fix_fails_with_the_hidden_tests_reason(
    tmp_path: Path, agent_suite: list[Task]
) -> None:
    task = pick(agent_suite, "agent/debug/py/easy/")
    spec = agent_spec(task)
    path = next(iter(spec.reference_files()))  # the buggy module, left buggy
    text = spec.files[path]
    async with bench(tmp_path, BuiltinDriver()) as (gw, runner, store):
        gw.upstream.add(
            call("write_file", path=path, content=text + "\n# looked fine to me\n"), Script(text="Done.")
        )
        result, reason, stats = await run_one(runner, store, task, "builtin")
    assert not result.passed and reason.startswith("hidden tests: exit status 1")
    assert stats.malformed == {} and stats.tool_calls == 1


async def test_builtin_malformed_calls_fail_and_are_counted(tmp_path: Path, agent_suite: list[Task]) -> None:
    task = pick(agent_suite, "agent/debug/py/easy/")
    async with bench(tmp_path, BuiltinDriver()) as (gw, runner, store):
        gw.upstream.add(
            Script(tool_calls=[("read_file", '{"path": "solution.py"')]),
            Script(tool_calls=[("edit_file", "{}")]),
            Script(text="Done."),
        )
        result, reason, stats = await run_one(runner, store, task, "builtin")
    assert not result.passed and reason.startswith("hidden tests")
    assert stats.malformed == {"bad_json": 1, "unknown_tool": 1} and stats.tool_calls == 2


async def test_builtin_answer_without_tools_is_a_malformed_failure(
    tmp_path: Path, agent_suite: list[Task]
) -> None:
    task = pick(agent_suite, "agent/explain/py/easy/")
    async with bench(tmp_path, BuiltinDriver()) as (gw, runner, store):
        gw.upstream.add(Script(text="No idea."), Script(text="Still no idea."))
        result, reason, stats = await run_one(runner, store, task, "builtin")
    assert not result.passed and reason == "no 'ANSWER:' line in the final message"
    assert stats.malformed == {"no_tool_call": 2} and stats.turns == 2


@pytest.mark.slow
async def test_kilo_cli_correct_trajectory_passes(
    tmp_path: Path, agent_suite: list[Task], kilo_bin: Path
) -> None:
    task = pick(agent_suite, "agent/command/py/easy/")
    out = agent_spec(task).grader["path"]
    async with serving(tmp_path) as gw:
        driver = KiloDriver(KiloOptions(base_url=gw.base_url + "/v1", api_key=gw.key, binary=kilo_bin))
        gw.upstream.add(
            call(
                "bash",
                command=f"mkdir -p $(dirname {out}) && python3 tools/gen.py > {out}",
                description="gen",
            ),
            Script(text="Saved the output."),
        )
        outcome = await driver.attempt(
            agent_spec(task), ModelInfo(id=MODEL, provider="gateway", upstream_id=MODEL)
        )
        usage = await gw.usage()
    assert outcome.grade.passed, (outcome.grade.reason, outcome.stats)
    assert outcome.stats.tool_calls == 1 and outcome.stats.turns == 2 and outcome.stats.malformed == {}
    assert outcome.stats.driver == "kilo" and outcome.stats.driver_version == "7.7.7"
    kilo_calls = [r for r in usage if r.client_name == "kilo-code" and r.api_kind == "chat"]
    assert kilo_calls and {r.routed_model for r in kilo_calls} == {MODEL}


@pytest.mark.slow
async def test_kilo_cli_wrong_and_malformed_trajectory_fails(
    tmp_path: Path, agent_suite: list[Task], kilo_bin: Path
) -> None:
    task = pick(agent_suite, "agent/command/py/easy/")
    out = agent_spec(task).grader["path"]
    async with serving(tmp_path) as gw:
        driver = KiloDriver(KiloOptions(base_url=gw.base_url + "/v1", api_key=gw.key, binary=kilo_bin))
        gw.upstream.add(
            Script(tool_calls=[("bash", "{not json")]),
            Script(tool_calls=[("nosuch_tool", "{}")]),
            call("write", filePath=out, content="0123456789abcdef"),
            Script(text="Done."),
        )
        outcome = await driver.attempt(
            agent_spec(task), ModelInfo(id=MODEL, provider="gateway", upstream_id=MODEL)
        )
    assert not outcome.grade.passed
    assert outcome.grade.reason == f"{out} does not have the required content"
    assert outcome.stats.malformed == {"bad_json": 1, "unknown_tool": 1} and outcome.stats.tool_calls == 3
