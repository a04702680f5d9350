"""Anthropic Messages streams: upstream events -> canonical events, and canonical events -> client SSE."""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire import stream_errors
from benchroute.wire._anthropic_common import STOP_REASONS_OUT, parse_usage, render_usage, stop_reason
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
    """Upstream Messages stream payloads (JSON-decoded `data:`) -> canonical events.

    Tool calls keep their content-block index as `ToolCallDelta.index`. `Finish` and the final
    `UsageReport` are emitted at `message_delta`; usage from `message_start` is carried forward.
    """

    __slots__ = ("_usage",)

    def __init__(self) -> None:
        self._usage: JSON = {}  # the raw usage so far: message_delta repeats only what changed

    def feed(self, event: dict[str, Any]) -> list[StreamEvent]:
        kind = event.get("type")
        if kind == "content_block_delta":
            return self._block_delta(event)
        if kind == "content_block_start":
            return self._block_start(event)
        if kind == "message_start":
            message = event.get("message")
            usage = message.get("usage") if isinstance(message, dict) else None
            self._usage = dict(usage) if isinstance(usage, dict) else {}
            return []
        if kind == "message_delta":
            delta = event.get("delta")
            events: list[StreamEvent] = []
            if isinstance(delta, dict) and delta.get("stop_reason") is not None:
                events.append(Finish(stop_reason(delta["stop_reason"])))
            usage = event.get("usage")
            if isinstance(usage, dict):
                self._usage.update((k, v) for k, v in usage.items() if v is not None)
            events.append(UsageReport(parse_usage(self._usage)))
            return events
        if kind == "error":
            error = event.get("error")
            if isinstance(error, dict):
                return [
                    StreamError(
                        str(error.get("message") or error), kind=str(error.get("type") or "api_error")
                    )
                ]
            return [StreamError(str(error))]
        return []  # ping, content_block_stop, message_stop, and future event types

    @staticmethod
    def _block_start(event: JSON) -> list[StreamEvent]:
        block = event.get("content_block")
        index = event.get("index")
        if not isinstance(block, dict) or not isinstance(index, int):
            return []
        kind = block.get("type")
        if kind == "tool_use":
            tool_input = block.get("input")
            args = orjson.dumps(tool_input).decode() if isinstance(tool_input, dict) and tool_input else ""
            return [ToolCallDelta(index=index, id=block.get("id"), name=block.get("name"), arguments=args)]
        if kind == "text" and block.get("text"):
            return [TextDelta(str(block["text"]))]
        if kind == "thinking" and block.get("thinking"):
            return [ReasoningDelta(str(block["thinking"]))]
        if kind == "redacted_thinking" and isinstance(block.get("data"), str):
            return [ReasoningDelta("", redacted=block["data"])]
        return []

    @staticmethod
    def _block_delta(event: JSON) -> list[StreamEvent]:
        delta = event.get("delta")
        if not isinstance(delta, dict):
            return []
        kind = delta.get("type")
        if kind == "text_delta" and delta.get("text"):
            return [TextDelta(str(delta["text"]))]
        if kind == "input_json_delta" and delta.get("partial_json"):
            index = event.get("index")
            return [
                ToolCallDelta(
                    index=index if isinstance(index, int) else 0, arguments=str(delta["partial_json"])
                )
            ]
        if kind == "thinking_delta" and delta.get("thinking"):
            return [ReasoningDelta(str(delta["thinking"]))]
        if kind == "signature_delta" and delta.get("signature"):
            return [ReasoningDelta("", signature=str(delta["signature"]))]
        return []  # citations_delta


def _sse(name: str, data: JSON) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


KEEPALIVE = _sse("ping", {"type": "ping"})


class StreamRenderer:
    """Canonical events -> the client's Messages SSE, in the order the Anthropic SDK expects.

    message_start (with usage), then per block content_block_start / _delta... / _stop, then
    message_delta (stop_reason, usage.output_tokens and the final input/cache counts) and
    message_stop. A `StreamError` ends the stream with `event: error`. `include_usage` is accepted
    for a uniform constructor; Anthropic streams always carry usage.
    """

    __slots__ = (
        "_block",
        "_blocks",
        "_done",
        "_input_tokens",
        "_model",
        "_reason",
        "_response_id",
        "_started",
        "_tools",
        "_usage",
    )

    def __init__(
        self, response_id: str, model: str, created: int, include_usage: bool = True, *, input_tokens: int = 0
    ) -> None:
        self._input_tokens = input_tokens  # an estimate for message_start; message_delta has the real count
        self._response_id = response_id
        self._model = model
        self._started = False
        self._done = False
        self._blocks = 0  # blocks opened so far
        self._block: tuple[str, int] | None = None  # (kind, index) of the open block
        self._tools: dict[int, int] = {}  # canonical tool index -> block index
        self._reason: FinishReason | None = None
        self._usage = Usage()

    def _start(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        message: JSON = {
            "id": self._response_id,
            "type": "message",
            "role": "assistant",
            "model": self._model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": self._input_tokens, "output_tokens": 0},
        }
        return _sse("message_start", {"type": "message_start", "message": message})

    def _close_block(self) -> bytes:
        if self._block is None:
            return b""
        index = self._block[1]
        self._block = None
        return _sse("content_block_stop", {"type": "content_block_stop", "index": index})

    def _open(self, kind: str, block: JSON) -> tuple[bytes, int]:
        out = self._close_block()
        index = self._blocks
        self._blocks += 1
        self._block = (kind, index)
        return out + _sse(
            "content_block_start", {"type": "content_block_start", "index": index, "content_block": block}
        ), index

    def _delta(self, kind: str, empty: JSON, delta: JSON) -> bytes:
        out = b""
        if self._block is None or self._block[0] != kind:
            out, index = self._open(kind, empty)
        else:
            index = self._block[1]
        return out + _sse(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        )

    def render(self, event: StreamEvent) -> bytes:
        if self._done:
            return b""
        out = self._start()
        if isinstance(event, TextDelta):
            if event.text:
                out += self._delta(
                    "text", {"type": "text", "text": ""}, {"type": "text_delta", "text": event.text}
                )
        elif isinstance(event, ReasoningDelta):
            out += self._reasoning(event)
        elif isinstance(event, ToolCallDelta):
            out += self._tool_call(event)
        elif isinstance(event, Finish):
            self._reason = self._reason or event.reason
        elif isinstance(event, UsageReport):
            self._usage = event.usage
        else:
            self._done = True
            kind = stream_errors.anthropic_type(event)
            out += _sse("error", error_body("messages", 502, stream_errors.message(event), type=kind))
        return out

    def _reasoning(self, event: ReasoningDelta) -> bytes:
        """Thinking text, then its signature, which closes the block (the next thinking text opens a
        new one); a redacted block is whole in its start event."""
        if event.redacted is not None:
            out, _ = self._open("redacted_thinking", {"type": "redacted_thinking", "data": event.redacted})
            return out + self._close_block()
        empty = {"type": "thinking", "thinking": "", "signature": ""}
        out = b""
        if event.text:
            out += self._delta("thinking", empty, {"type": "thinking_delta", "thinking": event.text})
        if event.signature:
            out += self._delta("thinking", empty, {"type": "signature_delta", "signature": event.signature})
            out += self._close_block()
        return out

    def _tool_call(self, event: ToolCallDelta) -> bytes:
        out = b""
        index = self._tools.get(event.index)
        if index is None:
            call_id = event.id or f"toolu_{self._response_id}_{len(self._tools)}"
            block = {"type": "tool_use", "id": call_id, "name": event.name or "", "input": {}}
            out, index = self._open("tool_use", block)
            self._tools[event.index] = index
        if event.arguments:
            delta = {"type": "input_json_delta", "partial_json": event.arguments}
            out += _sse(
                "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
            )
        return out

    def finish(self) -> bytes:
        """Close the open block, then message_delta (stop reason, usage) and message_stop."""
        if self._done:
            return b""
        out = self._start() + self._close_block()
        self._done = True
        reason = self._reason or ("tool_calls" if self._tools else "stop")
        usage = render_usage(self._usage)
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": STOP_REASONS_OUT[reason], "stop_sequence": None},
            "usage": usage,
        }
        return out + _sse("message_delta", delta) + _sse("message_stop", {"type": "message_stop"})

    def keepalive(self) -> bytes:
        return KEEPALIVE
