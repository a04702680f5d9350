"""Anthropic Messages: the client's request body (Claude Code, the Anthropic SDK) -> canonical.

`parse_tool_call` is shared with the upstream response parser in `wire.anthropic`.
"""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire import _fields as f
from benchroute.wire._anthropic_common import effort_for_budget
from benchroute.wire.canonical import (
    CacheControl,
    ChatRequest,
    ImagePart,
    Message,
    Part,
    RequestContext,
    TextPart,
    Thinking,
    Tool,
    ToolCall,
    ToolChoice,
)
from benchroute.wire.errors import WireError

JSON = dict[str, Any]

_DROPPED_BLOCKS = frozenset({"thinking", "redacted_thinking"})  # outside an assistant turn


def cache_control(block: JSON, param: str) -> CacheControl | None:
    """A block's `cache_control`, kept as sent (the upstream checks it)."""
    return f.opt_obj(block, "cache_control", f"{param}.cache_control")


def _image(block: JSON, param: str) -> ImagePart:
    source = f.obj(block.get("source"), f"{param}.source")
    kind = f.tag(source, "type", f"{param}.source.type")
    cache = cache_control(block, param)
    if kind == "base64":
        media = f.string(source.get("media_type"), f"{param}.source.media_type")
        data = f.string(source.get("data"), f"{param}.source.data")
        return ImagePart(url=f"data:{media};base64,{data}", media_type=media, cache_control=cache)
    if kind == "url":
        return ImagePart(url=f.string(source.get("url"), f"{param}.source.url"), cache_control=cache)
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
                parts.append(TextPart(text, cache_control=cache_control(block, p)))
        elif kind == "image" and "image" in allow:
            parts.append(_image(block, p))
        elif kind not in _DROPPED_BLOCKS:
            raise WireError(f"{p}.type {kind!r} is not supported here", param=f"{p}.type")
    return parts


def parse_tool_call(block: JSON, param: str) -> ToolCall:
    tool_input = block.get("input")
    if tool_input is None:
        tool_input = {}
    return ToolCall(
        id=f.string(block.get("id"), f"{param}.id"),
        name=f.string(block.get("name"), f"{param}.name"),
        arguments=orjson.dumps(f.obj(tool_input, f"{param}.input")).decode(),
        cache_control=cache_control(block, param),
    )


def parse_thinking(block: JSON, param: str) -> Thinking:
    """A `thinking` or `redacted_thinking` block, to be sent back as it came."""
    if block.get("type") == "redacted_thinking":
        return Thinking(redacted=f.string(block.get("data"), f"{param}.data"))
    return Thinking(
        text=f.string(block.get("thinking"), f"{param}.thinking"),
        signature=f.opt_str(block, "signature", f"{param}.signature") or "",
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
                cache_control=cache_control(block, p),
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
            message.tool_calls.append(parse_tool_call(block, p))
        elif kind == "text":
            text = f.string(block.get("text"), f"{p}.text")
            if text:
                message.content.append(TextPart(text, cache_control=cache_control(block, p)))
        elif kind in _DROPPED_BLOCKS:
            message.thinking.append(parse_thinking(block, p))
        else:
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
                cache_control=cache_control(tool, p),
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


def _thinking(thinking: Any) -> tuple[str | None, int | None]:
    """(reasoning effort, budget) of a `thinking` field; (None, None) unless it is enabled."""
    if not isinstance(thinking, dict) or thinking.get("type") != "enabled":
        return None, None
    budget = thinking.get("budget_tokens")
    budget = budget if isinstance(budget, int) and not isinstance(budget, bool) and budget > 0 else None
    return effort_for_budget(budget), budget


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
    effort, budget = _thinking(body.get("thinking"))
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
        top_k=f.opt_int(body, "top_k", "top_k", minimum=1),
        stop=f.stop_list(body.get("stop_sequences"), "stop_sequences"),
        reasoning_effort=effort,
        thinking_budget=budget,
        user=f.opt_str(metadata, "user_id", "metadata.user_id"),
        context=context,
        model=f.model(body),  # last: a body wrong in other ways says so first
    )
