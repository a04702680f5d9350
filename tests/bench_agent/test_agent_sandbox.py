"""Agent workspaces are sandboxed like the single-turn checkers: a test per limit (network, fork
bomb, output flood, hang) through the agent's own run_command, and a hang or a runaway attempt is
a scored failure, not a crash or an endless run."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from agent_harness import pick

from benchroute.bench.agent.loop import BuiltinDriver, LoopOptions
from benchroute.bench.agent.record import stats_of
from benchroute.bench.agent.spec import agent_spec
from benchroute.bench.agent.tools import dispatch
from benchroute.bench.agent.workspace import Workspace
from benchroute.bench.runner import BenchRunner, RunOptions
from benchroute.bench.sandbox import Limits
from benchroute.bench.tasks import Task
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.store.memory import MemoryStore
from benchroute.wire.canonical import ToolCall

SMALL = Limits(cpu_seconds=5, wall_seconds=5.0, memory_bytes=512 * 1024 * 1024, processes=32)


def command(text: str) -> str:
    return json.dumps({"command": text})


async def test_no_network_from_an_agent_command(agent_suite: list[Task]) -> None:
    async with Workspace(agent_spec(pick(agent_suite, "agent/command/py/easy/")), SMALL) as ws:
        probe = "import socket; socket.create_connection(('127.0.0.1', 5432), timeout=2); print('CONNECTED')"
        outcome = await dispatch(ws, "run_command", command(f'python -c "{probe}"'))
    assert outcome.is_error and "CONNECTED" not in outcome.text


async def test_fork_bomb_is_contained(agent_suite: list[Task]) -> None:
    async with Workspace(agent_spec(pick(agent_suite, "agent/command/py/easy/")), SMALL) as ws:
        outcome = await dispatch(ws, "run_command", command("bomb() { bomb | bomb & }; bomb; sleep 30"))
        assert outcome.is_error
        after = await dispatch(ws, "run_command", command("echo still-here"))
    assert not after.is_error and "still-here" in after.text


async def test_output_flood_is_capped(agent_suite: list[Task]) -> None:
    async with Workspace(agent_spec(pick(agent_suite, "agent/command/py/easy/")), SMALL) as ws:
        outcome = await dispatch(ws, "run_command", command("yes flood-flood-flood; yes > big.txt"))
        size = (ws.root / "big.txt").stat().st_size
    assert size <= SMALL.file_bytes
    assert len(outcome.text) <= 8_100


async def test_hanging_command_times_out(agent_suite: list[Task]) -> None:
    limits = Limits(cpu_seconds=5, wall_seconds=1.0, processes=32)
    async with Workspace(agent_spec(pick(agent_suite, "agent/command/py/easy/")), limits) as ws:
        outcome = await dispatch(ws, "run_command", command("sleep 60"))
    assert outcome.is_error and outcome.text.startswith("[timed out]")


def _runner(provider: FakeProvider, options: LoopOptions) -> tuple[BenchRunner, MemoryStore]:
    catalog = Catalog(
        [ModelInfo(id="fk/agent", provider="fk", upstream_id="agent", input_price=1, output_price=2)]
    )
    store = MemoryStore()
    runner = BenchRunner({"fk": provider}, catalog, store, agent=BuiltinDriver(options))
    return runner, store


async def test_a_hang_is_a_scored_failure(agent_suite: list[Task]) -> None:
    task = pick(agent_suite, "agent/command/py/easy/")
    hang = ToolCall(id="c1", name="run_command", arguments=command("sleep 60"))
    provider = FakeProvider("fk", [Reply(tool_calls=[hang]), "I ran it."])
    runner, store = _runner(provider, LoopOptions(command_limits=Limits(cpu_seconds=5, wall_seconds=1.0)))
    summary = await runner.run([task], ["fk/agent"], RunOptions(run_id="hang"))
    assert (summary.done, summary.passed, summary.errors) == (1, 0, 0)
    [result] = await store.list_bench_results(run_id="hang")
    reason, stats = result.reason, stats_of(result)
    assert not result.passed and "does not exist" in reason
    assert stats is not None and stats.tool_calls == 1 and stats.turns == 2


async def test_an_attempt_past_its_wall_time_is_a_scored_failure(agent_suite: list[Task]) -> None:
    task = pick(agent_suite, "agent/command/py/easy/")
    provider = FakeProvider("fk", [Reply(text="thinking…", delay=30)])
    runner, store = _runner(provider, LoopOptions(wall_seconds=1.0))
    started = datetime.now(UTC)
    summary = await runner.run([task], ["fk/agent"], RunOptions(run_id="slow"))
    assert (summary.done, summary.passed) == (1, 0)
    [result] = await store.list_bench_results(run_id="slow")
    reason, stats = result.reason, stats_of(result)
    assert "did not finish within 1s" in reason and stats is not None and stats.stop == "timeout"
    assert result.time >= started
