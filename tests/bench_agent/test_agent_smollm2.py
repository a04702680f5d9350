"""The real SmolLM2-135M (llama.cpp) through the real gateway and the built-in agent loop, on a
handful of easy agent tasks. A 135M model does not drive tools: its attempts are expected to fail,
and the test checks they are recorded as scored failures with reasons and tool-use statistics
(no skipping, no provider errors), which is what the leaderboard and the router then see."""

from __future__ import annotations

from pathlib import Path

import pytest
from agent_harness import pick
from dialects_harness import serving

from benchroute.bench.agent.loop import BuiltinDriver, LoopOptions
from benchroute.bench.agent.record import for_driver, stats_of, tool_use
from benchroute.bench.runner import BenchRunner, RunOptions
from benchroute.bench.tasks import Task
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.http import create_session
from benchroute.providers.openai_compat import OpenAICompatProvider
from benchroute.store.memory import MemoryStore
from support.llama import llama_available, llama_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not llama_available(), reason="SmolLM2 not installed (scripts/setup.d/30-llama.sh)"),
]
MODEL = "local/smollm2"
ROUTES = ("explain", "command", "debug", "implement")


async def test_smollm2_runs_easy_agent_tasks_and_its_failures_are_recorded(
    tmp_path: Path, agent_suite: list[Task]
) -> None:
    tasks = for_driver([pick(agent_suite, f"agent/{route}/py/easy/") for route in ROUTES], "builtin")
    async with llama_server(n_ctx=4096) as llama:
        local = {"local": {"kind": "openai", "base_url": llama.base_url}}
        models = [{"id": MODEL, "provider": "local", "upstream_id": llama.model, "context": 4096}]
        async with serving(tmp_path, providers=local, models=models) as gw, create_session() as http:
            provider = OpenAICompatProvider("gateway", gw.base_url + "/v1", http, api_key=gw.key, timeout=300)
            info = ModelInfo(id=MODEL, provider="gateway", upstream_id=MODEL)
            store = MemoryStore()
            driver = BuiltinDriver(LoopOptions(max_turns=3, max_tokens=96, wall_seconds=600))
            runner = BenchRunner({"gateway": provider}, Catalog([info]), store, agent=driver)
            summary = await runner.run(tasks, [MODEL], RunOptions(run_id="smol", concurrency=1))
            usage = await gw.usage()
    assert summary.errors == 0, summary.error_samples
    results = await store.list_bench_results(run_id="smol")
    assert len(results) == len(ROUTES)
    for result in results:
        reason, stats = result.reason, stats_of(result)
        assert stats is not None and stats.turns >= 1 and result.prompt_tokens > 0
        if not result.passed:
            assert reason, result.task_id  # a failure always says why
    assert {r.routed_model for r in usage} == {MODEL} and len(usage) == sum(
        stats_of(r).turns
        for r in results  # type: ignore[union-attr]
    )
    [use] = tool_use(results)
    print(
        f"SmolLM2 agent: {use.passed}/{use.attempts} passed, malformed rate {use.malformed_rate:.2f}, "
        f"mean turns {use.mean_turns:.1f}; reasons: {[r.reason for r in results]}"
    )
