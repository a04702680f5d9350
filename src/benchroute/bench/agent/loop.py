"""The built-in agent: a tool-calling loop over the OpenAI-style chat API (any `Provider`, so
through the gateway with `--via-gateway`), on a sandboxed workspace.

Each turn sends the conversation with the tools; the model's tool calls run on the workspace and
their results go back; a reply without tool calls ends the attempt. A first reply with no tool call
at all is counted as malformed (`no_tool_call`) and answered once with a reminder.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from benchroute.bench.agent.graders import Grade, grade
from benchroute.bench.agent.record import AgentStats
from benchroute.bench.agent.spec import AgentSpec
from benchroute.bench.agent.tools import TOOLS, dispatch
from benchroute.bench.agent.workspace import COMMAND_LIMITS, Workspace
from benchroute.bench.sandbox import Limits
from benchroute.catalog.model import ModelInfo
from benchroute.providers.base import Provider, Target
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart

VERSION = "1.0"
SYSTEM = """You are a coding agent working in a small repository (the current directory).
Use the tools to inspect and change it: read_file, write_file, apply_diff, list_files, search,
run_command (bash, no network). Work step by step; check your work by running code or tests.
When you are finished, reply without a tool call, with a short summary. If the task asks a
question, end that reply with a line `ANSWER: <answer>`."""
NUDGE = "Use the tools to work in the repository: reply with a tool call."


@dataclass(frozen=True, slots=True)
class LoopOptions:
    max_turns: int = 30
    max_tokens: int = 2048
    temperature: float = 0.0
    wall_seconds: float = 900.0
    effort: str | None = None
    command_limits: Limits = COMMAND_LIMITS  # for each run_command


@dataclass(frozen=True, slots=True)
class AgentOutcome:
    grade: Grade
    stats: AgentStats
    final: str


class BuiltinDriver:
    name = "builtin"
    version = VERSION

    def __init__(self, options: LoopOptions | None = None) -> None:
        self.options = options or LoopOptions()

    async def attempt(self, spec: AgentSpec, info: ModelInfo, provider: Provider) -> AgentOutcome:
        stats = AgentStats(driver=self.name, driver_version=self.version, effort=self.options.effort)
        started = time.monotonic()
        async with Workspace(spec, self.options.command_limits) as ws:
            final = ""
            try:
                async with asyncio.timeout(self.options.wall_seconds):
                    final = await self._loop(spec, ws, info, provider, stats)
            except TimeoutError:
                stats.stop = "timeout"
            stats.wall_s = round(time.monotonic() - started, 3)
            result = await grade(spec, ws, final)
        if stats.stop == "timeout":
            result = Grade(
                False, f"the agent did not finish within {self.options.wall_seconds:.0f}s", result.grader
            )
        return AgentOutcome(result, stats, final)

    def _request(self, info: ModelInfo, spec: AgentSpec, messages: list[Message]) -> ChatRequest:
        return ChatRequest(
            model=info.id,
            messages=list(messages),
            tools=list(TOOLS),
            tool_choice="auto",
            max_tokens=self.options.max_tokens,
            temperature=self.options.temperature,
            reasoning_effort=self.options.effort,
            context=RequestContext(mode=spec.mode),
        )

    async def _loop(
        self, spec: AgentSpec, ws: Workspace, info: ModelInfo, provider: Provider, stats: AgentStats
    ) -> str:
        target = Target.of(info)
        messages = [
            Message(role="system", content=[TextPart(SYSTEM)]),
            Message(role="user", content=[TextPart(spec.instruction)]),
        ]
        nudged = False
        for _ in range(self.options.max_turns):
            response = await provider.complete(self._request(info, spec, messages), target)
            stats.turns += 1
            stats.prompt_tokens += response.usage.prompt_tokens
            stats.completion_tokens += response.usage.completion_tokens
            stats.cached_tokens += response.usage.cached_tokens
            reply = response.message
            messages.append(Message(role="assistant", content=reply.content, tool_calls=reply.tool_calls))
            if not reply.tool_calls:
                if stats.tool_calls == 0 and spec.needs_tools:
                    stats.count_malformed("no_tool_call")
                    if not nudged:
                        nudged = True
                        messages.append(Message(role="user", content=[TextPart(NUDGE)]))
                        continue
                return reply.text
            for call in reply.tool_calls:
                stats.tool_calls += 1
                outcome = await dispatch(ws, call.name, call.arguments)
                if outcome.malformed:
                    stats.count_malformed(outcome.malformed)
                messages.append(
                    Message(
                        role="tool",
                        content=[TextPart(outcome.text)],
                        tool_call_id=call.id,
                        name=call.name,
                        is_error=outcome.is_error,
                    )
                )
        stats.stop = "max_turns"
        return ""
