"""A scripted in-memory provider: the test double for the Provider protocol.

Router and gateway tests use it instead of patching: queue replies (text, tool calls, usage,
errors to raise, mid-stream failures, delays) and read back the requests it received.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from benchroute.providers.base import ProviderError, Target
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    Finish,
    FinishReason,
    Message,
    ReasoningDelta,
    StreamError,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageReport,
)


@dataclass(slots=True)
class Reply:
    """One scripted answer.

    `error` is raised before anything is produced (both `complete` and `stream`): the way to
    script a failure the gateway may still retry or fail over from.
    `fail_after` (streaming only): after that many events (>= 1), yield a `StreamError` and stop.
    `chunks`: how many text deltas the text is split into when streamed.
    """

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning: str = ""
    usage: Usage | None = None
    finish: FinishReason | None = None
    error: ProviderError | None = None
    fail_after: int | None = None
    delay: float = 0.0  # seconds before the answer (or the first event)
    chunk_delay: float = 0.0  # streaming: seconds between events
    chunks: int = 1

    @property
    def finish_reason(self) -> FinishReason:
        if self.finish is not None:
            return self.finish
        return "tool_calls" if self.tool_calls else "stop"


ReplyLike = Reply | str | ProviderError


def _as_reply(item: ReplyLike) -> Reply:
    if isinstance(item, Reply):
        return item
    if isinstance(item, ProviderError):
        return Reply(error=item)
    return Reply(text=item)


def _split(text: str, parts: int) -> list[str]:
    if not text:
        return []
    parts = max(1, min(parts, len(text)))
    size = -(-len(text) // parts)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _estimate_usage(request: ChatRequest, reply: Reply) -> Usage:
    prompt = sum(len(m.text) for m in request.messages) // 4 + 1
    completion = (len(reply.text) + sum(len(c.arguments) for c in reply.tool_calls)) // 4 + 1
    return Usage(prompt_tokens=prompt, completion_tokens=completion)


class FakeProvider:
    """Answers from a queue of `Reply`s; when the queue is empty, echoes the last user message."""

    def __init__(
        self,
        name: str = "fake",
        replies: Iterable[ReplyLike] = (),
        *,
        models: Iterable[str] = ("fake-model",),
    ) -> None:
        self.name = name
        self.replies: deque[Reply] = deque(_as_reply(r) for r in replies)
        self.models = list(models)
        self.requests: list[tuple[ChatRequest, Target]] = []
        self.closed = False
        self._ids = itertools.count(1)

    def add(self, *replies: ReplyLike) -> None:
        self.replies.extend(_as_reply(r) for r in replies)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def _next(self, request: ChatRequest, target: Target) -> Reply:
        self.requests.append((request, target))
        if self.replies:
            return self.replies.popleft()
        last_user = next((m.text for m in reversed(request.messages) if m.role == "user"), "")
        return Reply(text=f"echo: {last_user}")

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        reply = self._next(request, target)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.error is not None:
            raise reply.error
        message = Message(
            role="assistant",
            content=[TextPart(reply.text)] if reply.text else [],
            tool_calls=list(reply.tool_calls),
        )
        return ChatResponse(
            id=f"fake-{next(self._ids)}",
            model=target.catalog_id or target.upstream_model,
            message=message,
            finish_reason=reply.finish_reason,
            usage=reply.usage or _estimate_usage(request, reply),
        )

    async def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]:
        reply = self._next(request, target)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.error is not None:
            raise reply.error
        events: list[StreamEvent] = []
        if reply.reasoning:
            events.append(ReasoningDelta(reply.reasoning))
        events.extend(TextDelta(piece) for piece in _split(reply.text, reply.chunks))
        for index, call in enumerate(reply.tool_calls):
            events.append(ToolCallDelta(index=index, id=call.id, name=call.name, arguments=call.arguments))
        events.append(Finish(reply.finish_reason))
        events.append(UsageReport(reply.usage or _estimate_usage(request, reply)))
        for count, event in enumerate(events):
            if reply.fail_after is not None and count >= reply.fail_after:
                yield StreamError("fake upstream failed mid-stream", kind="connect")
                return
            yield event
            await asyncio.sleep(reply.chunk_delay)

    async def list_models(self) -> list[str]:
        return list(self.models)

    async def aclose(self) -> None:
        self.closed = True
