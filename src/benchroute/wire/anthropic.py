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
    ANSWER_ROOM,
    MIN_BUDGET,
    RENDER_BUDGET,
    STOP_REASONS_OUT,
    parse_usage,
    render_usage,
    stop_reason,
)
from benchroute.wire.anthropic_request import parse_request, parse_thinking, parse_tool_call
from benchroute.wire.anthropic_stream import KEEPALIVE, StreamParser, StreamRenderer
from benchroute.wire.canonical import (
    CacheControl,
    ChatRequest,
    ChatResponse,
    Message,
    Part,
    TextPart,
    Thinking,
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
    "thinking_budget",
]

JSON = dict[str, Any]

DEFAULT_MAX_TOKENS = 8192
THINKING_MIN_TOP_P = 0.95  # with thinking on, the API takes top_p only from here to 1

# ---- canonical -> upstream body --------------------------------------------------------------


def _cached(block: JSON, cache: CacheControl | None) -> JSON:
    if cache is not None:
        block["cache_control"] = cache
    return block


def _render_part(part: Part) -> JSON:
    if isinstance(part, TextPart):
        return _cached({"type": "text", "text": part.text}, part.cache_control)
    if part.url.startswith("data:"):
        head, _, data = part.url.partition(",")
        media = part.media_type or f.data_url_media_type(part.url) or "image/png"
        if head.endswith(";base64"):
            source = {"type": "base64", "media_type": media, "data": data}
            return _cached({"type": "image", "source": source}, part.cache_control)
    return _cached({"type": "image", "source": {"type": "url", "url": part.url}}, part.cache_control)


def _tool_input(arguments: str) -> JSON:
    # Anthropic wants an object; a model's malformed or non-object arguments become {}.
    try:
        value = orjson.loads(arguments) if arguments else {}
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _render_thinking(thinking: Thinking) -> JSON | None:
    """A thinking block as it came, or None when it cannot be verified upstream (no signature)."""
    if thinking.redacted is not None:
        return {"type": "redacted_thinking", "data": thinking.redacted}
    if not thinking.signature:
        return None
    return {"type": "thinking", "thinking": thinking.text, "signature": thinking.signature}


def _render_blocks(message: Message) -> list[JSON]:
    if message.role == "tool":
        content: str | list[JSON]
        only = message.content[0] if len(message.content) == 1 else None
        if isinstance(only, TextPart) and only.cache_control is None:
            content = only.text
        else:
            content = [_render_part(p) for p in message.content]
        result: JSON = {"type": "tool_result", "tool_use_id": message.tool_call_id or "", "content": content}
        if message.is_error:
            result["is_error"] = True
        return [_cached(result, message.cache_control)]
    # thinking first: an assistant turn that thought starts with its thinking blocks
    blocks = [b for b in map(_render_thinking, message.thinking) if b is not None]
    blocks += [_render_part(p) for p in message.content]
    blocks += [
        _cached(
            {"type": "tool_use", "id": c.id, "name": c.name, "input": _tool_input(c.arguments)},
            c.cache_control,
        )
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
            system += [_render_part(p) for p in message.content if isinstance(p, TextPart)]
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


def thinking_budget(request: ChatRequest) -> int | None:
    """The extended-thinking budget a request asks for: the client's own, else its effort's."""
    if request.thinking_budget is not None:
        return request.thinking_budget
    if request.reasoning_effort is None:
        return None
    return RENDER_BUDGET.get(request.reasoning_effort)


def _mid_tool_loop_without_thinking(messages: list[Message]) -> bool:
    """The last assistant turn called tools (so the next user turn carries their results, whatever
    text comes with them) and has no thinking block that can go back upstream: it came from a model
    that did not think, or from a stream without signatures. Anthropic refuses to turn thinking on
    there."""
    for message in reversed(messages):
        if message.role == "assistant":
            signed = any(_render_thinking(t) is not None for t in message.thinking)
            return bool(message.tool_calls) and not signed
    return False


def _thinking_plan(request: ChatRequest, max_tokens: int, max_output: int | None) -> tuple[int, int] | None:
    """(budget_tokens, max_tokens) for extended thinking, or None when it is not to be sent.

    The API wants 1024 <= budget_tokens < max_tokens. A max_tokens at or below the budget is raised
    by the budget (the client's max_tokens stays the room for the answer); above the model's
    `max_output` it is capped there, and the budget then leaves ANSWER_ROOM tokens for the answer.
    """
    budget = thinking_budget(request)
    if budget is None or request.tool_choice not in (None, "auto", "none"):
        return None  # thinking cannot be combined with a forced tool choice
    if _mid_tool_loop_without_thinking(request.messages):
        return None
    if max_tokens <= budget:
        max_tokens += budget
    if max_output is not None and max_tokens > max_output:
        max_tokens = max_output
        budget = min(budget, max_output - ANSWER_ROOM)
    if budget < MIN_BUDGET or budget >= max_tokens:
        return None
    return budget, max_tokens


def render_request(
    request: ChatRequest,
    upstream_model: str,
    *,
    default_max_tokens: int = DEFAULT_MAX_TOKENS,
    max_output: int | None = None,
) -> dict[str, Any]:
    """Canonical -> a Messages body for an Anthropic upstream (`max_tokens` is required there).

    A reasoning effort (or the client's own thinking budget) becomes extended thinking; see
    `_thinking_plan` and docs/routing.md. With thinking on, temperature and top_k are not sent and
    top_p only from 0.95 up, as the API requires. `max_output` is the model's output limit, if known.
    """
    system, turns = render_messages(request.messages)
    max_tokens = request.max_tokens if request.max_tokens is not None else default_max_tokens
    if max_output is not None and request.max_tokens is None:
        max_tokens = min(max_tokens, max_output)
    plan = _thinking_plan(request, max_tokens, max_output)
    body: JSON = {
        "model": upstream_model,
        "max_tokens": plan[1] if plan else max_tokens,
        "messages": turns,
    }
    if system:
        plain = len(system) == 1 and "cache_control" not in system[0]
        body["system"] = system[0]["text"] if plain else system
    if request.tools:
        body["tools"] = [_render_tool(t) for t in request.tools]
        choice = _render_tool_choice(request.tool_choice, request.parallel_tool_calls)
        if choice is not None:
            body["tool_choice"] = choice
    if request.stream:
        body["stream"] = True
    if plan is not None:
        body["thinking"] = {"type": "enabled", "budget_tokens": plan[0]}
        if request.top_p is not None and request.top_p >= THINKING_MIN_TOP_P:
            body["top_p"] = request.top_p
    else:
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.top_p is not None and request.temperature is None:
            # current Claude models reject temperature and top_p together; temperature wins
            body["top_p"] = request.top_p
        if request.top_k is not None:
            body["top_k"] = request.top_k
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    if request.user is not None:
        body["metadata"] = {"user_id": request.user}
    return body


def _render_tool(tool: Tool) -> JSON:
    out: JSON = {"name": tool.name, "input_schema": tool.parameters}
    if tool.description:
        out["description"] = tool.description
    return _cached(out, tool.cache_control)


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
            elif block.get("type") in ("thinking", "redacted_thinking"):
                message.thinking.append(parse_thinking(block, f"content[{i}]"))
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
    message = response.message
    content = _render_blocks(
        Message(
            role="assistant",
            content=message.content,
            tool_calls=message.tool_calls,
            thinking=message.thinking,
        )
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
