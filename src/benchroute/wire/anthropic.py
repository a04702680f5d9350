"""Anthropic Messages ⇄ canonical, in both directions.

Client direction (Claude Code, the Anthropic SDK): `parse_request`, `render_response`,
`StreamRenderer`. Upstream direction (an Anthropic upstream): `render_request`, `parse_response`,
`StreamParser`. Pure functions over JSON-decoded dicts; no I/O.

This module is the dialect's face: the client request parser lives in `wire.anthropic_request`, the
streams in `wire.anthropic_stream`; all are re-exported here.

Token accounting: Anthropic's `input_tokens` excludes prompt tokens read from or written to the
cache; canonical `prompt_tokens` includes them. So canonical prompt = input + cache_read +
cache_creation, and rendering back gives input = prompt - cached (creation tokens stay in input).
"""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire import _fields as f
from benchroute.wire._anthropic_common import (
    STOP_REASONS_OUT,
    parse_usage,
    render_usage,
    stop_reason,
)
from benchroute.wire.anthropic_request import parse_request, parse_tool_call
from benchroute.wire.anthropic_stream import KEEPALIVE, StreamParser, StreamRenderer
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    Message,
    Part,
    TextPart,
    Tool,
    ToolChoice,
)
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

DEFAULT_MAX_TOKENS = 8192

# ---- canonical -> upstream body --------------------------------------------------------------


def _render_part(part: Part) -> JSON:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if part.url.startswith("data:"):
        head, _, data = part.url.partition(",")
        media = part.media_type or f.data_url_media_type(part.url) or "image/png"
        if head.endswith(";base64"):
            return {"type": "image", "source": {"type": "base64", "media_type": media, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": part.url}}


def _tool_input(arguments: str) -> JSON:
    # Anthropic wants an object; a model's malformed or non-object arguments become {}.
    try:
        value = orjson.loads(arguments) if arguments else {}
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _render_blocks(message: Message) -> list[JSON]:
    if message.role == "tool":
        content: str | list[JSON]
        if len(message.content) == 1 and isinstance(message.content[0], TextPart):
            content = message.content[0].text
        else:
            content = [_render_part(p) for p in message.content]
        result: JSON = {"type": "tool_result", "tool_use_id": message.tool_call_id or "", "content": content}
        if message.is_error:
            result["is_error"] = True
        return [result]
    blocks = [_render_part(p) for p in message.content]
    blocks += [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": _tool_input(c.arguments)}
        for c in message.tool_calls
    ]
    return blocks


def render_messages(messages: list[Message]) -> tuple[list[JSON], list[JSON]]:
    """Canonical messages -> (system blocks, alternating turns).

    System messages are hoisted; tool results become tool_result blocks in a user turn, and
    consecutive same-role turns (tool results then the user's next words) merge into one.
    """
    system: list[JSON] = []
    turns: list[JSON] = []
    for message in messages:
        if message.role == "system":
            system += [{"type": "text", "text": p.text} for p in message.content if isinstance(p, TextPart)]
            continue
        blocks = _render_blocks(message)
        if not blocks:
            continue
        role = "assistant" if message.role == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += blocks
        else:
            turns.append({"role": role, "content": blocks})
    return system, turns


def _render_tool_choice(choice: ToolChoice | None, parallel: bool | None) -> JSON | None:
    if choice is None and parallel is not False:
        return None
    out: JSON
    if choice is None or choice == "auto":
        out = {"type": "auto"}
    elif choice == "required":
        out = {"type": "any"}
    elif choice == "none":
        out = {"type": "none"}
    else:
        out = {"type": "tool", "name": choice}
    if parallel is False and out["type"] != "none":
        out["disable_parallel_tool_use"] = True
    return out


def render_request(
    request: ChatRequest, upstream_model: str, *, default_max_tokens: int = DEFAULT_MAX_TOKENS
) -> dict[str, Any]:
    """Canonical -> a Messages body for an Anthropic upstream (`max_tokens` is required there)."""
    system, turns = render_messages(request.messages)
    body: JSON = {
        "model": upstream_model,
        "max_tokens": request.max_tokens if request.max_tokens is not None else default_max_tokens,
        "messages": turns,
    }
    if system:
        body["system"] = system[0]["text"] if len(system) == 1 else system
    if request.tools:
        body["tools"] = [_render_tool(t) for t in request.tools]
        choice = _render_tool_choice(request.tool_choice, request.parallel_tool_calls)
        if choice is not None:
            body["tool_choice"] = choice
    if request.stream:
        body["stream"] = True
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None and request.temperature is None:
        # current Claude models reject temperature and top_p together; temperature wins
        body["top_p"] = request.top_p
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    if request.user is not None:
        body["metadata"] = {"user_id": request.user}
    return body


def _render_tool(tool: Tool) -> JSON:
    out: JSON = {"name": tool.name, "input_schema": tool.parameters}
    if tool.description:
        out["description"] = tool.description
    return out


# ---- upstream response -> canonical ----------------------------------------------------------


def parse_response(body: dict[str, Any], model: str) -> ChatResponse:
    """An upstream Messages response -> canonical; `model` is the catalog id that served it."""
    if not isinstance(body, dict):
        raise WireError("upstream response is not a JSON object", status=502)
    if body.get("type") == "error":
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        raise WireError(f"upstream error: {message}", status=502)
    content = body.get("content")
    if body.get("type") != "message" or not isinstance(content, list):
        raise WireError("upstream response is not an Anthropic message", status=502)
    message = Message(role="assistant")
    try:
        for i, block in enumerate(content):
            if not isinstance(block, dict):
                raise WireError(f"content[{i}] must be an object", param=f"content[{i}]")
            if block.get("type") == "text":
                text = f.string(block.get("text"), f"content[{i}].text")
                if text:
                    message.content.append(TextPart(text))
            elif block.get("type") == "tool_use":
                message.tool_calls.append(parse_tool_call(block, f"content[{i}]"))
    except WireError as exc:
        raise WireError(f"upstream response: {exc.message}", param=exc.param, status=502) from exc
    return ChatResponse(
        id=str(body.get("id") or ""),
        model=model,
        message=message,
        finish_reason=stop_reason(body.get("stop_reason")),
        usage=parse_usage(body.get("usage")),
    )


# ---- canonical response -> client JSON -------------------------------------------------------


def render_response(response: ChatResponse) -> dict[str, Any]:
    """Canonical -> the client's Messages JSON; `model` is the routed catalog id."""
    content = _render_blocks(
        Message(role="assistant", content=response.message.content, tool_calls=response.message.tool_calls)
    )
    content = [b for b in content if b["type"] != "image"]
    return {
        "id": response.id,
        "type": "message",
        "role": "assistant",
        "model": response.model,
        "content": content,
        "stop_reason": STOP_REASONS_OUT[response.finish_reason],
        "stop_sequence": None,
        "usage": render_usage(response.usage),
    }
