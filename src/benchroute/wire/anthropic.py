"""Anthropic Messages ⇄ canonical, in both directions.

Client direction (Claude Code, the Anthropic SDK): `parse_request`, `render_response`,
`StreamRenderer`. Upstream direction (an Anthropic upstream): `render_request`, `parse_response`,
`StreamParser`. Pure functions over JSON-decoded dicts; no I/O.

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
from benchroute.wire.anthropic_stream import KEEPALIVE, StreamParser, StreamRenderer
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    Message,
    Part,
    RequestContext,
    TextPart,
    Tool,
    ToolCall,
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
_DROPPED_BLOCKS = frozenset({"thinking", "redacted_thinking"})
# thinking budget -> the nearest reasoning effort, and back
_EFFORT_BUDGET = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576}

# ---- client body -> canonical ----------------------------------------------------------------


def _image(block: JSON, param: str) -> ImagePart:
    source = f.obj(block.get("source"), f"{param}.source")
    kind = f.tag(source, "type", f"{param}.source.type")
    if kind == "base64":
        media = f.string(source.get("media_type"), f"{param}.source.media_type")
        data = f.string(source.get("data"), f"{param}.source.data")
        return ImagePart(url=f"data:{media};base64,{data}", media_type=media)
    if kind == "url":
        return ImagePart(url=f.string(source.get("url"), f"{param}.source.url"))
    raise WireError(f"{param}.source.type must be 'base64' or 'url'", param=f"{param}.source.type")


def _parts(value: Any, param: str, *, allow: frozenset[str] = frozenset({"text", "image"})) -> list[Part]:
    """Text/image content: a string or a list of blocks. Empty text is dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        return [TextPart(value)] if value else []
    if not isinstance(value, list):
        raise WireError(f"{param} must be a string or a list of content blocks", param=param)
    parts: list[Part] = []
    for i, raw in enumerate(f.bounded(value, param, nested=None)):
        p = f"{param}[{i}]"
        block = f.obj(raw, p)
        kind = f.tag(block, "type", f"{p}.type")
        if kind == "text" and "text" in allow:
            text = f.string(block.get("text"), f"{p}.text")
            if text:
                parts.append(TextPart(text))
        elif kind == "image" and "image" in allow:
            parts.append(_image(block, p))
        elif kind not in _DROPPED_BLOCKS:
            raise WireError(f"{p}.type {kind!r} is not supported here", param=f"{p}.type")
    return parts


def _tool_call(block: JSON, param: str) -> ToolCall:
    tool_input = block.get("input")
    if tool_input is None:
        tool_input = {}
    return ToolCall(
        id=f.string(block.get("id"), f"{param}.id"),
        name=f.string(block.get("name"), f"{param}.name"),
        arguments=orjson.dumps(f.obj(tool_input, f"{param}.input")).decode(),
    )


def _user_turn(content: Any, param: str) -> list[Message]:
    """One user turn -> its tool results (as tool messages, first) and then its text/images."""
    if not isinstance(content, list):
        return [Message(role="user", content=_parts(content, param))]
    results: list[Message] = []
    rest: list[Any] = []
    for i, raw in enumerate(content):
        p = f"{param}[{i}]"
        block = f.obj(raw, p)
        if f.tag(block, "type", f"{p}.type") != "tool_result":
            rest.append(block)
            continue
        results.append(
            Message(
                role="tool",
                content=_parts(block.get("content"), f"{p}.content"),
                tool_call_id=f.string(block.get("tool_use_id"), f"{p}.tool_use_id"),
                is_error=bool(f.opt_bool(block, "is_error", f"{p}.is_error")),
            )
        )
    user_parts = _parts(rest, param) if rest else []
    if user_parts or not results:
        results.append(Message(role="user", content=user_parts))
    return results


def _assistant_turn(content: Any, param: str) -> Message:
    message = Message(role="assistant")
    if not isinstance(content, list):
        message.content = _parts(content, param)
        return message
    for i, raw in enumerate(content):
        p = f"{param}[{i}]"
        block = f.obj(raw, p)
        kind = f.tag(block, "type", f"{p}.type")
        if kind == "tool_use":
            message.tool_calls.append(_tool_call(block, p))
        elif kind == "text":
            text = f.string(block.get("text"), f"{p}.text")
            if text:
                message.content.append(TextPart(text))
        elif kind not in _DROPPED_BLOCKS:
            raise WireError(f"{p}.type {kind!r} is not supported in an assistant turn", param=f"{p}.type")
    return message


def _tools(value: Any, dropped: list[str] | None) -> list[Tool]:
    tools: list[Tool] = []
    for i, raw in enumerate(f.bounded(f.lst(value, "tools"), "tools", nested=None)):
        p = f"tools[{i}]"
        tool = f.obj(raw, p)
        name = f.string(tool.get("name"), f"{p}.name")
        if f.tag(tool, "type", f"{p}.type") not in (
            None,
            "custom",
        ):  # server tools: web_search_*, bash_*, text_editor_*...
            if dropped is not None:
                dropped.append(name)
            continue
        schema = f.obj(tool.get("input_schema"), f"{p}.input_schema")
        tools.append(
            Tool(
                name=name,
                description=f.opt_str(tool, "description", f"{p}.description") or "",
                parameters=schema,
            )
        )
    return tools


def _tool_choice(value: Any) -> tuple[ToolChoice | None, bool | None]:
    if value is None:
        return None, None
    choice = f.obj(value, "tool_choice")
    kind = f.tag(choice, "type", "tool_choice.type")
    disable = f.opt_bool(choice, "disable_parallel_tool_use", "tool_choice.disable_parallel_tool_use")
    parallel = None if disable is None else not disable
    if kind == "auto":
        return "auto", parallel
    if kind == "any":
        return "required", parallel
    if kind == "none":
        return "none", parallel
    if kind == "tool":
        return f.string(choice.get("name"), "tool_choice.name"), parallel
    raise WireError("tool_choice.type must be one of auto, any, tool, none", param="tool_choice.type")


def _effort(thinking: Any) -> str | None:
    if not isinstance(thinking, dict) or thinking.get("type") != "enabled":
        return None
    budget = thinking.get("budget_tokens")
    if not isinstance(budget, int):
        return "medium"
    for effort, limit in _EFFORT_BUDGET.items():
        if budget <= limit:
            return effort
    return "high"


def parse_request(
    body: dict[str, Any], context: RequestContext, *, dropped_tools: list[str] | None = None
) -> ChatRequest:
    """A client's Messages body -> canonical. Unknown fields are ignored.

    Server tools (typed tools such as ``web_search_20250305``) are dropped; their names are
    appended to `dropped_tools` when given, for the caller to log.
    """
    body = f.obj(body, "body")
    raw_messages = body.get("messages")
    if raw_messages is None:
        raise WireError("messages is required", param="messages")
    messages: list[Message] = []
    system = body.get("system")
    if system is not None:
        system_parts = _parts(system, "system", allow=frozenset({"text"}))
        if system_parts:
            messages.append(Message(role="system", content=system_parts))
    turns = f.bounded(f.lst(raw_messages, "messages"), "messages")
    if not turns:
        raise WireError("messages must not be empty", param="messages")
    for i, raw in enumerate(turns):
        p = f"messages[{i}]"
        turn = f.obj(raw, p)
        role = turn.get("role")
        if role == "user":
            messages += _user_turn(turn.get("content"), f"{p}.content")
        elif role == "assistant":
            messages.append(_assistant_turn(turn.get("content"), f"{p}.content"))
        else:
            raise WireError(f"{p}.role must be 'user' or 'assistant' (got {role!r})", param=f"{p}.role")
    tool_choice, parallel = _tool_choice(body.get("tool_choice"))
    metadata = f.opt_obj(body, "metadata", "metadata") or {}
    stream = bool(f.opt_bool(body, "stream", "stream"))
    raw_tools = body.get("tools")
    return ChatRequest(
        messages=messages,
        tools=_tools(raw_tools, dropped_tools) if raw_tools is not None else [],
        tool_choice=tool_choice,
        parallel_tool_calls=parallel,
        stream=stream,
        include_usage=stream,  # Anthropic streams always carry usage
        max_tokens=f.opt_int(body, "max_tokens", "max_tokens", minimum=1),
        temperature=f.opt_float(body, "temperature", "temperature", bounds=(0.0, 1.0)),
        top_p=f.opt_float(body, "top_p", "top_p", bounds=(0.0, 1.0)),
        stop=f.stop_list(body.get("stop_sequences"), "stop_sequences"),
        reasoning_effort=_effort(body.get("thinking")),
        user=f.opt_str(metadata, "user_id", "metadata.user_id"),
        context=context,
        model=f.model(body),  # last: a body wrong in other ways says so first
    )


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
                message.tool_calls.append(_tool_call(block, f"content[{i}]"))
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
