"""OpenAI Responses ⇄ canonical, as the Codex CLI speaks it.

Client direction: `parse_request`, `render_response`, `StreamRenderer`. Upstream direction (an
upstream that speaks Responses): `render_request`, `parse_response`, `StreamParser`.
Pure functions over JSON-decoded dicts; no I/O.

This module is the dialect's face: the client request parser lives in `wire.responses_request`, the
streams in `wire.responses_stream`; all are re-exported here.

Hosted tools (web_search, file_search, local_shell, custom, namespace, mcp...) have no canonical
form: `parse_request` drops them and appends their names to `dropped_tools` for the caller to log;
a `tool_choice` that names a dropped tool is an error. `reasoning` input items are dropped (their
content is opaque to other providers).
"""

from __future__ import annotations

from typing import Any

from benchroute.wire import _fields as f
from benchroute.wire._responses_common import (
    INCOMPLETE,
    function_call_item,
    message_item,
    parse_usage,
    render_usage,
    response_object,
    status_for,
)
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    FinishReason,
    Message,
    Part,
    TextPart,
    ToolCall,
)
from benchroute.wire.errors import WireError
from benchroute.wire.responses_request import parse_parts, parse_request
from benchroute.wire.responses_stream import KEEPALIVE, StreamParser, StreamRenderer

__all__ = [
    "KEEPALIVE",
    "StreamParser",
    "StreamRenderer",
    "parse_request",
    "parse_response",
    "parse_usage",
    "render_request",
    "render_response",
    "render_usage",
]

JSON = dict[str, Any]


# ---- canonical -> upstream body --------------------------------------------------------------


def _render_parts(parts: list[Part], text_type: str) -> list[JSON]:
    out: list[JSON] = []
    for part in parts:
        if isinstance(part, TextPart):
            out.append({"type": text_type, "text": part.text})
        else:
            out.append({"type": "input_image", "image_url": part.url, "detail": "auto"})
    return out


def render_items(messages: list[Message]) -> tuple[str | None, list[JSON]]:
    """Canonical messages -> (instructions from the system messages, input items)."""
    system = [m.text for m in messages if m.role == "system"]
    items: list[JSON] = []
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            only_text = len(message.content) == 1 and isinstance(message.content[0], TextPart)
            output = (
                message.text
                if only_text or not message.content
                else _render_parts(message.content, "input_text")
            )
            items.append(
                {"type": "function_call_output", "call_id": message.tool_call_id or "", "output": output}
            )
        elif message.role == "assistant":
            if message.content:
                parts = [{**p, "annotations": []} for p in _render_parts(message.content, "output_text")]
                items.append({"type": "message", "role": "assistant", "content": parts})
            items += [
                {"type": "function_call", "call_id": c.id, "name": c.name, "arguments": c.arguments}
                for c in message.tool_calls
            ]
        else:
            items.append(
                {"type": "message", "role": "user", "content": _render_parts(message.content, "input_text")}
            )
    return ("\n\n".join(system) if system else None), items


def _render_format(response_format: JSON) -> JSON:
    if response_format.get("type") == "json_schema" and isinstance(response_format.get("json_schema"), dict):
        return {"type": "json_schema", **response_format["json_schema"]}
    return response_format


def render_request(request: ChatRequest, upstream_model: str) -> dict[str, Any]:
    """Canonical -> a Responses body for an upstream that speaks it (`store` off; no stop support)."""
    instructions, items = render_items(request.messages)
    body: JSON = {"model": upstream_model, "input": items, "store": False}
    if instructions is not None:
        body["instructions"] = instructions
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "name": t.name,
                "description": t.description,
                "parameters": t.parameters,
                "strict": False,  # Responses defaults to strict schemas; clients' schemas rarely qualify
            }
            for t in request.tools
        ]
        if request.parallel_tool_calls is not None:
            body["parallel_tool_calls"] = request.parallel_tool_calls
    if request.tool_choice is not None:
        choice = request.tool_choice
        body["tool_choice"] = (
            choice if choice in ("auto", "none", "required") else {"type": "function", "name": choice}
        )
    if request.stream:
        body["stream"] = True
    if request.max_tokens is not None:
        body["max_output_tokens"] = request.max_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p
    if request.reasoning_effort is not None:
        body["reasoning"] = {"effort": request.reasoning_effort}
    if request.response_format is not None:
        body["text"] = {"format": _render_format(request.response_format)}
    if request.user is not None:
        body["user"] = request.user
    return body


# ---- upstream response -> canonical ----------------------------------------------------------


def _finish(status: Any, incomplete: Any, has_calls: bool) -> FinishReason:
    if status == "incomplete":
        reason = incomplete.get("reason") if isinstance(incomplete, dict) else None
        return "content_filter" if reason == "content_filter" else "length"
    return "tool_calls" if has_calls else "stop"


def parse_response(body: dict[str, Any], model: str) -> ChatResponse:
    """An upstream Responses `response` object -> canonical; `model` is the catalog id that served it."""
    if not isinstance(body, dict):
        raise WireError("upstream response is not a JSON object", status=502)
    error = body.get("error")
    if isinstance(error, dict) and body.get("status") != "completed":
        raise WireError(f"upstream error: {error.get('message') or error}", status=502)
    output = body.get("output")
    if body.get("object") != "response" or not isinstance(output, list):
        raise WireError("upstream response is not a Responses response object", status=502)
    message = Message(role="assistant")
    try:
        for i, item in enumerate(output):
            item = f.obj(item, f"output[{i}]", status=502)
            if item.get("type") == "message":
                message.content += parse_parts(item.get("content"), f"output[{i}].content")
            elif item.get("type") == "function_call":
                message.tool_calls.append(
                    ToolCall(
                        id=f.string(item.get("call_id"), f"output[{i}].call_id", status=502),
                        name=f.string(item.get("name"), f"output[{i}].name", status=502),
                        arguments=f.string(item.get("arguments") or "", f"output[{i}].arguments", status=502),
                    )
                )
    except WireError as exc:
        raise WireError(f"upstream response: {exc.message}", param=exc.param, status=502) from exc
    created = body.get("created_at")
    return ChatResponse(
        id=str(body.get("id") or ""),
        model=model,
        message=message,
        finish_reason=_finish(body.get("status"), body.get("incomplete_details"), bool(message.tool_calls)),
        usage=parse_usage(body.get("usage")),
        created=int(created) if isinstance(created, int | float) else 0,
    )


# ---- canonical response -> client JSON -------------------------------------------------------


def render_response(response: ChatResponse) -> dict[str, Any]:
    """Canonical -> the client's `response` object; `model` is the routed catalog id."""
    output: list[JSON] = []
    if response.message.content:
        output.append(message_item(f"msg_{response.id}", response.message.text))
    output += [
        function_call_item(f"fc_{response.id}_{i}", c) for i, c in enumerate(response.message.tool_calls)
    ]
    return response_object(
        response.id,
        response.model,
        response.created,
        status=status_for(response.finish_reason),
        output=output,
        usage=response.usage,
        reason=response.finish_reason if response.finish_reason in INCOMPLETE else None,
    )
