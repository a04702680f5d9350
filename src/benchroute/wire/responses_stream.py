"""Responses streams: upstream events -> canonical events, and canonical events -> client SSE.

The renderer emits the event sequence the OpenAI SDK's `ResponseStreamState` and the Codex CLI
accept: response.created, response.in_progress, then per output item output_item.added, its
content events and output_item.done, and finally response.completed (or response.incomplete
when the answer was cut short, response.failed on an error). Every event has a sequence_number.
"""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire import stream_errors
from benchroute.wire._responses_common import (
    function_call_item,
    message_item,
    output_text,
    parse_usage,
    reasoning_item,
    response_object,
    status_for,
)
from benchroute.wire.canonical import (
    Finish,
    FinishReason,
    ReasoningDelta,
    StreamError,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageReport,
)

JSON = dict[str, Any]
KEEPALIVE = b": keep-alive\n\n"


_DELTAS = frozenset(
    {
        "response.output_text.delta",
        "response.reasoning_text.delta",
        "response.reasoning_summary_text.delta",
        "response.function_call_arguments.delta",
    }
)


def _failure(kind: str, event: dict[str, Any]) -> StreamError:
    """response.failed carries its error in `response.error`; a bare `error` event carries it inline."""
    if kind == "error":
        return StreamError(
            str(event.get("message") or "upstream error"), kind=str(event.get("code") or "server_error")
        )
    response = event.get("response")
    error = response.get("error") if isinstance(response, dict) else None
    error = error if isinstance(error, dict) else {}
    return StreamError(
        str(error.get("message") or "response failed"), kind=str(error.get("code") or "server_error")
    )


class StreamParser:
    """Upstream Responses stream events (JSON-decoded `data:`) -> canonical events.

    Tool calls are keyed by `output_index`. Arguments that arrive only in output_item.done (no
    deltas) are still reported. response.completed / .incomplete give `Finish` and `UsageReport`.
    """

    __slots__ = ("_args_seen", "_calls")

    def __init__(self) -> None:
        self._calls: set[int] = set()
        self._args_seen: set[int] = set()

    def feed(self, event: dict[str, Any]) -> list[StreamEvent]:
        kind = event.get("type")
        index = event.get("output_index")
        index = index if isinstance(index, int) else 0
        if kind in _DELTAS:
            return self._delta(kind, index, event.get("delta"))
        if kind in ("response.output_item.added", "response.output_item.done"):
            return self._item(kind, index, event.get("item"))
        if kind in ("response.completed", "response.incomplete"):
            return self._end(kind, event.get("response"))
        if kind in ("response.failed", "error"):
            return [_failure(kind, event)]
        return []

    def _delta(self, kind: str, index: int, delta: Any) -> list[StreamEvent]:
        if not isinstance(delta, str) or not delta:
            return []
        if kind == "response.output_text.delta":
            return [TextDelta(delta)]
        if kind == "response.function_call_arguments.delta":
            self._args_seen.add(index)
            return [ToolCallDelta(index=index, arguments=delta)]
        return [ReasoningDelta(delta)]

    def _end(self, kind: str, response: Any) -> list[StreamEvent]:
        response = response if isinstance(response, dict) else {}
        reason: FinishReason = "tool_calls" if self._calls else "stop"
        if kind == "response.incomplete":
            details = response.get("incomplete_details")
            why = details.get("reason") if isinstance(details, dict) else None
            reason = "content_filter" if why == "content_filter" else "length"
        return [Finish(reason), UsageReport(parse_usage(response.get("usage")))]

    def _item(self, kind: str, index: int, item: Any) -> list[StreamEvent]:
        if not isinstance(item, dict) or item.get("type") != "function_call":
            return []
        args = item.get("arguments")
        args = args if isinstance(args, str) else ""
        if kind == "response.output_item.added":
            self._calls.add(index)
            if args:
                self._args_seen.add(index)
            call_id, name = item.get("call_id"), item.get("name")
            return [
                ToolCallDelta(
                    index=index,
                    id=call_id if isinstance(call_id, str) else None,
                    name=name if isinstance(name, str) else None,
                    arguments=args,
                )
            ]
        if index in self._calls and index not in self._args_seen and args:
            self._args_seen.add(index)
            return [ToolCallDelta(index=index, arguments=args)]
        return []


class _Item:
    """An output item being streamed: a message, a function call or reasoning."""

    __slots__ = ("call_id", "id", "index", "kind", "name", "text")

    def __init__(self, kind: str, item_id: str, index: int, call_id: str = "", name: str = "") -> None:
        self.kind = kind
        self.id = item_id
        self.index = index
        self.call_id = call_id
        self.name = name
        self.text: list[str] = []

    def done_item(self) -> JSON:
        text = "".join(self.text)
        if self.kind == "message":
            return message_item(self.id, text)
        if self.kind == "reasoning":
            return reasoning_item(self.id, text)
        return function_call_item(self.id, ToolCall(self.call_id, self.name, text))


class StreamRenderer:
    """Canonical events -> the client's Responses SSE (`event: <type>` + `data: {...}`).

    A message or reasoning item closes when a different kind of item starts; function-call items
    stay open until the end (so late argument fragments still land in the right call) and close
    in order before response.completed. `include_usage` is accepted for a uniform constructor:
    response.completed always carries usage.
    """

    __slots__ = (
        "_calls",
        "_created",
        "_current",
        "_done",
        "_items",
        "_model",
        "_reason",
        "_response_id",
        "_seq",
        "_usage",
    )

    def __init__(self, response_id: str, model: str, created: int, include_usage: bool = True) -> None:
        self._response_id = response_id
        self._model = model
        self._created = created
        self._seq = 0
        self._items: list[_Item] = []  # every item opened, in output order
        self._current: _Item | None = None  # the open message/reasoning item
        self._calls: dict[int, _Item] = {}  # canonical tool index -> open function-call item
        self._reason: FinishReason | None = None
        self._usage = Usage()
        self._done = False

    def _event(self, kind: str, payload: JSON) -> bytes:
        payload = {"type": kind, "sequence_number": self._seq, **payload}
        self._seq += 1
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"

    def _response(self, status: str, output: list[JSON], **extra: Any) -> JSON:
        return response_object(
            self._response_id, self._model, self._created, status=status, output=output, **extra
        )

    def _start(self) -> bytes:
        if self._seq:
            return b""
        skeleton = self._response("in_progress", [])
        return self._event("response.created", {"response": skeleton}) + self._event(
            "response.in_progress", {"response": skeleton}
        )

    def _open(self, kind: str, prefix: str, **fields: str) -> tuple[bytes, _Item]:
        out = self._close_current()
        index = len(self._items)
        item = _Item(kind, f"{prefix}_{self._response_id}_{index}", index, **fields)
        self._items.append(item)
        if kind == "message":
            added = message_item(item.id, None, "in_progress")
        elif kind == "reasoning":
            added = reasoning_item(item.id, None)
        else:
            added = function_call_item(item.id, ToolCall(item.call_id, item.name, ""), "in_progress")
        out += self._event("response.output_item.added", {"output_index": index, "item": added})
        if kind == "message":
            part = {"item_id": item.id, "output_index": index, "content_index": 0, "part": output_text("")}
            out += self._event("response.content_part.added", part)
        return out, item

    def _close(self, item: _Item) -> bytes:
        text = "".join(item.text)
        where = {"item_id": item.id, "output_index": item.index}
        if item.kind == "message":
            out = self._event(
                "response.output_text.done", {**where, "content_index": 0, "text": text, "logprobs": []}
            )
            out += self._event(
                "response.content_part.done", {**where, "content_index": 0, "part": output_text(text)}
            )
        elif item.kind == "reasoning":
            out = self._event("response.reasoning_text.done", {**where, "content_index": 0, "text": text})
        else:
            out = self._event(
                "response.function_call_arguments.done", {**where, "arguments": text, "name": item.name}
            )
        return out + self._event(
            "response.output_item.done", {"output_index": item.index, "item": item.done_item()}
        )

    def _close_current(self) -> bytes:
        item, self._current = self._current, None
        return self._close(item) if item is not None else b""

    def _close_calls(self) -> bytes:
        out = b"".join(self._close(item) for item in self._calls.values())
        self._calls = {}
        return out

    def _text(self, kind: str, prefix: str, event_type: str, text: str) -> bytes:
        out = b""
        item = self._current
        if item is None or item.kind != kind:
            out = self._close_calls()
            opened, item = self._open(kind, prefix)
            out += opened
            self._current = item
        item.text.append(text)
        payload: JSON = {"item_id": item.id, "output_index": item.index, "content_index": 0, "delta": text}
        if kind == "message":
            payload["logprobs"] = []
        return out + self._event(event_type, payload)

    def render(self, event: StreamEvent) -> bytes:
        if self._done:
            return b""
        out = self._start()
        if isinstance(event, TextDelta):
            if event.text:
                out += self._text("message", "msg", "response.output_text.delta", event.text)
        elif isinstance(event, ReasoningDelta):
            if event.text:
                out += self._text("reasoning", "rs", "response.reasoning_text.delta", event.text)
        elif isinstance(event, ToolCallDelta):
            out += self._tool_call(event)
        elif isinstance(event, Finish):
            self._reason = self._reason or event.reason
        elif isinstance(event, UsageReport):
            self._usage = event.usage
        else:
            self._done = True
            error = {"code": stream_errors.responses_code(event), "message": stream_errors.message(event)}
            out += self._event("response.failed", {"response": self._response("failed", [], error=error)})
        return out

    def _tool_call(self, event: ToolCallDelta) -> bytes:
        out = b""
        item = self._calls.get(event.index)
        if item is None:
            call_id = event.id or f"call_{self._response_id}_{len(self._items)}"
            out, item = self._open("function_call", "fc", call_id=call_id, name=event.name or "")
            self._calls[event.index] = item
        if event.arguments:
            item.text.append(event.arguments)
            payload = {"item_id": item.id, "output_index": item.index, "delta": event.arguments}
            out += self._event("response.function_call_arguments.delta", payload)
        return out

    def finish(self) -> bytes:
        """Close open items, then response.completed (or .incomplete) with the whole output and usage."""
        if self._done:
            return b""
        out = self._start() + self._close_current() + self._close_calls()
        self._done = True
        reason = self._reason or (
            "tool_calls" if any(i.kind == "function_call" for i in self._items) else "stop"
        )
        status = status_for(reason)
        output = [item.done_item() for item in self._items]
        response = self._response(status, output, usage=self._usage, reason=reason)
        kind = "response.completed" if status == "completed" else "response.incomplete"
        return out + self._event(kind, {"response": response})

    def keepalive(self) -> bytes:
        return KEEPALIVE
