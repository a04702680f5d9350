"""OpenAI chat completions ⇄ canonical, in both directions.

Client direction: `parse_request` reads what a client (Kilo Code, the OpenAI SDK) sent;
`render_response` / `StreamRenderer` answer it. Upstream direction: `render_request` builds the body
for an OpenAI-compatible upstream; `parse_response` / `StreamParser` read its answer.
All pure functions over JSON-decoded dicts; no I/O.

This module is the dialect's face: the client request parser lives in `wire.chat_request`, the
streams in `wire.chat_stream`; all are re-exported here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from benchroute.wire._openai_common import (
    client_finish,
    finish_reason,
    parse_usage,
    render_usage,
)
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    Message,
    Part,
    TextPart,
    ToolCall,
    ToolChoice,
)
from benchroute.wire.chat_request import parse_parts, parse_request, parse_tool_calls
from benchroute.wire.chat_stream import KEEPALIVE, StreamParser, StreamRenderer
from benchroute.wire.errors import WireError

__all__ = [
    "KEEPALIVE",
    "StreamParser",
    "StreamRenderer",
    "parse_request",
    "parse_response",
    "parse_usage",
    "render_messages",
    "render_request",
    "render_response",
    "render_usage",
]

JSON = dict[str, Any]

# ---- canonical -> upstream body --------------------------------------------------------------


def _render_parts(parts: list[Part]) -> str | list[JSON]:
    if not parts:
        return ""
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    out: list[JSON] = []
    for part in parts:
        if isinstance(part, TextPart):
            out.append({"type": "text", "text": part.text})
        else:
            out.append({"type": "image_url", "image_url": {"url": part.url}})
    return out


def render_tool_call(call: ToolCall) -> JSON:
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}


def _render_message(message: Message) -> JSON:
    out: JSON = {"role": message.role}
    if message.role == "assistant":
        if message.content:
            out["content"] = _render_parts(message.content)
        else:
            out["content"] = None if message.tool_calls else ""
        if message.tool_calls:
            out["tool_calls"] = [render_tool_call(c) for c in message.tool_calls]
    elif message.role == "tool":
        out["tool_call_id"] = message.tool_call_id or ""
        out["content"] = _render_parts(message.content)
    else:
        out["content"] = _render_parts(message.content)
    if message.name is not None and message.role != "tool":
        out["name"] = message.name
    return out


def render_messages(messages: list[Message]) -> list[JSON]:
    """Canonical messages -> chat messages.

    Chat tool messages carry text only, so images in a tool result (a screenshot an Anthropic
    client's tool returned) move to a user message right after the run of tool messages; the
    tool calls and their results stay adjacent, as upstreams require.
    """
    out: list[JSON] = []
    deferred: list[Part] = []
    for message in messages:
        if message.role == "tool":
            images = [p for p in message.content if isinstance(p, ImagePart)]
            if images:
                deferred += images
                message = replace(message, content=[p for p in message.content if isinstance(p, TextPart)])
        elif deferred:
            out.append(
                {
                    "role": "user",
                    "content": _render_parts([TextPart("(images from the tool results)"), *deferred]),
                }
            )
            deferred = []
        out.append(_render_message(message))
    if deferred:
        out.append(
            {
                "role": "user",
                "content": _render_parts([TextPart("(images from the tool results)"), *deferred]),
            }
        )
    return out


def render_tool_choice(choice: ToolChoice) -> str | JSON:
    if choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def render_request(
    request: ChatRequest,
    upstream_model: str,
    max_tokens_key: Literal["max_tokens", "max_completion_tokens"] = "max_tokens",
) -> dict[str, Any]:
    """Canonical -> the body for an OpenAI-compatible upstream.

    When streaming, the upstream is always asked for usage (`stream_options.include_usage`), since
    the gateway records it whether or not the client asked. `max_tokens_key` picks the field name:
    `max_tokens` is what most compatible servers accept; OpenAI's reasoning models want
    `max_completion_tokens`.
    """
    body: JSON = {"model": upstream_model, "messages": render_messages(request.messages)}
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
            }
            for t in request.tools
        ]
    if request.tool_choice is not None:
        body["tool_choice"] = render_tool_choice(request.tool_choice)
    if request.parallel_tool_calls is not None and request.tools:
        body["parallel_tool_calls"] = request.parallel_tool_calls
    if request.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    if request.max_tokens is not None:
        body[max_tokens_key] = request.max_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p
    if request.stop:
        body["stop"] = list(request.stop)
    if request.reasoning_effort is not None:
        body["reasoning_effort"] = request.reasoning_effort
    if request.response_format is not None:
        body["response_format"] = request.response_format
    if request.user is not None:
        body["user"] = request.user
    return body


# ---- upstream response -> canonical ----------------------------------------------------------


def _upstream_error(body: JSON) -> WireError | None:
    error = body.get("error")
    if error is None:
        return None
    message = error.get("message") if isinstance(error, dict) else error
    return WireError(f"upstream error: {message}", status=502)


def parse_response(body: dict[str, Any], model: str) -> ChatResponse:
    """An upstream chat completion -> canonical; `model` is the catalog id that served it."""
    if not isinstance(body, dict):
        raise WireError("upstream response is not a JSON object", status=502)
    error = _upstream_error(body)
    if error is not None:
        raise error
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise WireError("upstream response is not a chat completion (no choices)", status=502)
    choice = choices[0]
    raw = choice.get("message")
    if not isinstance(raw, dict):
        raise WireError("upstream response is not a chat completion (choices[0].message)", status=502)
    try:
        content = parse_parts(raw.get("content"), "choices[0].message.content")
        calls = parse_tool_calls(raw.get("tool_calls") or [], "choices[0].message.tool_calls")
    except WireError as exc:
        raise WireError(f"upstream response: {exc.message}", param=exc.param, status=502) from exc
    created = body.get("created")
    # by position, in the fields' order (tests/test_positional.py): keywords cost CPython more
    return ChatResponse(
        str(body.get("id") or ""),  # id
        model,  # model
        Message("assistant", content, calls),  # message
        finish_reason(choice.get("finish_reason")),  # finish_reason
        parse_usage(body.get("usage")),  # usage
        created if isinstance(created, int) else 0,  # created
    )


# ---- canonical response -> client JSON -------------------------------------------------------


def render_response(response: ChatResponse) -> dict[str, Any]:
    """Canonical -> the client's chat.completion JSON; `model` is the routed catalog id."""
    message: JSON = {"role": "assistant", "content": response.message.text or None}
    if response.message.tool_calls:
        message["tool_calls"] = [render_tool_call(c) for c in response.message.tool_calls]
    elif message["content"] is None:
        message["content"] = ""
    return {
        "id": response.id,
        "object": "chat.completion",
        "created": response.created,
        "model": response.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": client_finish(response.finish_reason),
                "logprobs": None,
            }
        ],
        "usage": render_usage(response.usage),
    }
