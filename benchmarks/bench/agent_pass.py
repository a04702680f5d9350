"""Wall time and cost estimate of one full agent pass per model.

Replays each sampled task's reference trajectory (list the files, read every file, write the
reference end state, run one command, finish; an explain task answers) through the real built-in
loop, workspace sandbox and grader, with a scripted model. It measures the harness's own wall time
per attempt (tool execution + grading, no model latency) and the tokens such a trajectory costs
(characters / 4 of every request and reply, tools included), then prices a full pass of the suite
for catalog models. A real model takes more turns than this minimal trajectory: the figures are a
floor on tokens, so the cost column is also given at 3x.

    PYTHONPATH=src python benchmarks/bench/agent_pass.py --per-cell 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import time
from collections import defaultdict

from benchroute.bench.agent.loop import BuiltinDriver
from benchroute.bench.agent.spec import agent_spec
from benchroute.bench.agent.tools import TOOLS
from benchroute.bench.tasks import Task, load_suite
from benchroute.catalog.loader import load_catalog
from benchroute.catalog.model import ModelInfo
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.settings import Settings
from benchroute.wire.canonical import ChatRequest, ToolCall

PRICED = ("deepseek/deepseek-chat", "openai/gpt-5-mini", "openai/gpt-5", "anthropic/claude-sonnet-4-5")


def trajectory(task: Task) -> list[Reply]:
    spec = agent_spec(task)
    calls = [ToolCall("c0", "list_files", "{}")]
    calls += [ToolCall(f"r{i}", "read_file", json.dumps({"path": p})) for i, p in enumerate(spec.files)]
    writes = spec.reference_files()
    calls += [
        ToolCall(f"w{i}", "write_file", json.dumps({"path": p, "content": t}))
        for i, p, t in ((i, p, t) for i, (p, t) in enumerate(writes.items()))
    ]
    calls.append(ToolCall("x", "run_command", json.dumps({"command": "ls"})))
    answer = spec.reference_answer()
    final = f"Done.\nANSWER: {answer}" if answer else "Done."
    return [*(Reply(tool_calls=[c]) for c in calls), Reply(text=final)]


def request_chars(request: ChatRequest) -> int:
    tools = sum(len(json.dumps(t.parameters)) + len(t.description) + len(t.name) for t in TOOLS)
    messages = sum(len(m.text) + sum(len(c.arguments) for c in m.tool_calls) for m in request.messages)
    return tools + messages


async def replay(task: Task) -> tuple[float, int, int, bool]:
    replies = trajectory(task)
    provider = FakeProvider("fk", replies)
    info = ModelInfo(id="fk/replay", provider="fk", upstream_id="replay")
    started = time.monotonic()
    outcome = await BuiltinDriver().attempt(agent_spec(task), info, provider)
    wall = time.monotonic() - started
    prompt = sum(request_chars(r) for r, _ in provider.requests) // 4
    completion = sum(len(r.text) + sum(len(c.arguments) for c in r.tool_calls) for r in replies) // 4
    return wall, prompt, completion, outcome.grade.passed


def wilson_half_width(n: int, p: float = 0.5, z: float = 1.96) -> float:
    centre_den = 1 + z * z / n
    return z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / centre_den


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-cell", type=int, default=2, help="tasks per (route, difficulty, language)")
    args = parser.parse_args()
    suite = load_suite("agent")
    groups: dict[tuple[str, str, str], list[Task]] = defaultdict(list)
    for task in suite:
        groups[(task.task_type, task.difficulty, agent_spec(task).language)].append(task)
    sample = [t for group in groups.values() for t in group[: args.per_cell]]
    rows = [await replay(t) for t in sample]
    assert all(passed for *_, passed in rows), "a reference trajectory failed its grader"
    walls = [w for w, *_ in rows]
    prompt = statistics.mean(p for _, p, _, _ in rows)
    completion = statistics.mean(c for _, _, c, _ in rows)
    print(
        f"sampled {len(sample)} of {len(suite)} tasks; harness wall per attempt: median "
        f"{statistics.median(walls):.2f}s, max {max(walls):.2f}s; full pass harness time "
        f"{statistics.mean(walls) * len(suite) / 60:.1f} min (sequential)"
    )
    print(f"tokens per attempt (reference trajectory): prompt {prompt:,.0f}, completion {completion:,.0f}")
    catalog = load_catalog(Settings())
    for model in PRICED:
        info = catalog.get(model)
        assert info is not None, model
        per = info.cost(int(prompt), int(completion))
        full = per * len(suite)
        print(f"{model:<28} ${per:.4f}/attempt  full pass ${full:.2f} (x3 turns: ${3 * full:.2f})")
    for n in (20, 24, 42, 43, 72):
        print(f"Wilson 95% half-width at p=0.5, n={n}: ±{wilson_half_width(n):.3f}")


if __name__ == "__main__":
    asyncio.run(main())
