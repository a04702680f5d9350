"""Chat-completions streams: upstream chunks -> canonical events, and canonical events -> client SSE."""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire import stream_errors
from benchroute.wire._openai_common import arguments, client_finish, finish_reason, parse_usage, render_usage
from benchroute.wire.canonical import (
    Finish,
    FinishReason,
    ReasoningDelta,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
    UsageReport,
)
from benchroute.wire.error_body import error_body

JSON = dict[str, Any]


# ---- streaming -------------------------------------------------------------------------------


class StreamParser:
    """Upstream chat.completion.chunk payloads (JSON-decoded `data:` lines) -> canonical events.

    One parser per upstream stream. `Finish` is reported once (the first finish_reason seen);
    usage is reported whenever a chunk carries it (the last report wins).
    """

    __slots__ = ("_finished",)

    def __init__(self) -> None:
        self._finished = False

    def feed(self, chunk: dict[str, Any]) -> list[StreamEvent]:
        error = chunk.get("error")
        if error is not None:
            if isinstance(error, dict):
                kind = error.get("type") or error.get("code") or "upstream_error"
                return [StreamError(message=str(error.get("message") or error), kind=str(kind))]
            return [StreamError(message=str(error))]
        events: list[StreamEvent] = []
        choices = chunk.get("choices")
        finish: FinishReason | None = None
        if isinstance(choices, list):
            for choice in choices:
                if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                    continue
                delta = choice.get("delta")
                if isinstance(delta, dict):
                    self._delta(delta, events)
                reason = choice.get("finish_reason")
                if reason is not None and not self._finished:
                    finish = finish_reason(reason)
        if finish is not None:
            self._finished = True
            events.append(Finish(finish))
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            events.append(UsageReport(parse_usage(usage)))
        return events

    @staticmethod
    def _delta(delta: JSON, events: list[StreamEvent]) -> None:
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            events.append(ReasoningDelta(reasoning))
        content = delta.get("content")
        if isinstance(content, str) and content:
            events.append(TextDelta(content))
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for position, call in enumerate(calls):
                if not isinstance(call, dict):
                    continue
                index = call.get("index")
                fn = call.get("function")
                fn = fn if isinstance(fn, dict) else {}
                call_id = call.get("id")
                name = fn.get("name")
                args = fn.get("arguments")
                events.append(
                    ToolCallDelta(
                        index=index if isinstance(index, int) else position,
                        id=call_id if isinstance(call_id, str) and call_id else None,
                        name=name if isinstance(name, str) and name else None,
                        arguments=arguments(args, "tool_calls.function.arguments")
                        if isinstance(args, str | dict)
                        else "",
                    )
                )


_DONE = b"data: [DONE]\n\n"
KEEPALIVE = b": keep-alive\n\n"


class StreamRenderer:
    """Canonical events -> the client's chat-completions SSE bytes.

    Strict-client rules: the first chunk carries `delta.role: "assistant"` and no chunk carries a
    null role; every chunk has `choices` (the usage chunk has `choices: []`); the final usage chunk
    (when `include_usage`) carries `prompt_tokens_details.cached_tokens`; every chunk's `model` is
    the routed model; an error ends the stream with a `data: {"error": ...}` event and `[DONE]`.
    Tool calls are re-indexed 0, 1, ... in order of first appearance and stream their
    id/type/name in one chunk before any argument fragment.

    Chunks are built from a prefix encoded once per stream, so each delta costs one small
    `orjson.dumps`. `reasoning_field` names the delta field reasoning text goes in.
    """

    __slots__ = (
        "_calls",
        "_done",
        "_finished",
        "_include_usage",
        "_prefix",
        "_reasoning_field",
        "_response_id",
        "_role_sent",
        "_usage",
        "_usage_prefix",
    )

    def __init__(
        self,
        response_id: str,
        model: str,
        created: int,
        include_usage: bool,
        *,
        reasoning_field: str = "reasoning_content",
    ) -> None:
        head = orjson.dumps(
            {"id": response_id, "object": "chat.completion.chunk", "created": created, "model": model}
        )[:-1]
        self._prefix = b"data: " + head + b',"choices":[{"index":0,"delta":'
        self._usage_prefix = b"data: " + head + b',"choices":[],"usage":'
        self._response_id = response_id
        self._include_usage = include_usage
        self._reasoning_field = reasoning_field
        self._role_sent = False
        self._finished = False
        self._done = False
        self._calls: dict[int, int] = {}  # upstream index -> client index
        self._usage: Usage | None = None

    def _chunk(self, delta: JSON, finish: str | None = None) -> bytes:
        if not self._role_sent:
            self._role_sent = True
            delta = {"role": "assistant", **delta}
        tail = (
            b',"finish_reason":null}]}\n\n'
            if finish is None
            else b',"finish_reason":"%s"}]}\n\n' % (finish.encode())
        )
        return self._prefix + orjson.dumps(delta) + tail

    def render(self, event: StreamEvent) -> bytes:
        if self._done:
            return b""
        if isinstance(event, TextDelta):
            return self._chunk({"content": event.text}) if event.text else b""
        if isinstance(event, ReasoningDelta):
            return self._chunk({self._reasoning_field: event.text}) if event.text else b""
        if isinstance(event, ToolCallDelta):
            return self._tool_call(event)
        if isinstance(event, Finish):
            return self._finish(event.reason)
        if isinstance(event, UsageReport):
            self._usage = event.usage
            return b""
        return self._error(event)

    def _tool_call(self, event: ToolCallDelta) -> bytes:
        out = b""
        index = self._calls.get(event.index)
        if index is None:
            index = self._calls[event.index] = len(self._calls)
            call_id = event.id or f"call_{self._response_id}_{index}"
            head = {"index": index, "id": call_id, "type": "function"}
            out = self._chunk(
                {"tool_calls": [{**head, "function": {"name": event.name or "", "arguments": ""}}]}
            )
        if event.arguments:
            out += self._chunk({"tool_calls": [{"index": index, "function": {"arguments": event.arguments}}]})
        return out

    def _finish(self, reason: FinishReason) -> bytes:
        if self._finished:
            return b""
        self._finished = True
        return self._chunk({}, client_finish(reason))

    def _error(self, event: StreamError) -> bytes:
        self._done = True
        kind = stream_errors.openai_type(event)
        code = "rate_limit_exceeded" if kind == "rate_limit_error" else "upstream_error"
        error = error_body("chat", 502, stream_errors.message(event), type=kind, code=code)
        return b"data: " + orjson.dumps(error) + b"\n\n" + _DONE

    def finish(self) -> bytes:
        """The closing chunk(s): finish_reason if not yet sent, usage if asked for, and [DONE]."""
        if self._done:
            return b""
        out = self._finish("stop")
        if self._include_usage:
            out += self._usage_prefix + orjson.dumps(render_usage(self._usage or Usage())) + b"}\n\n"
        self._done = True
        return out + _DONE

    def keepalive(self) -> bytes:
        return KEEPALIVE
