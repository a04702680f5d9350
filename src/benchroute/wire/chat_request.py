"""OpenAI chat completions: the client's request body (Kilo Code, the OpenAI SDK) -> canonical.

`parse_parts` and `parse_tool_calls` are shared with the upstream response parser in `wire.chat`.
"""

from __future__ import annotations

from typing import Any

from benchroute.wire import _fields as f
from benchroute.wire._openai_common import (
    arguments,
)
from benchroute.wire.canonical import (
    ChatRequest,
    ImagePart,
    Message,
    Part,
    RequestContext,
    Role,
    TextPart,
    Tool,
    ToolCall,
    ToolChoice,
)
from benchroute.wire.errors import WireError

JSON = dict[str, Any]

_ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
}


def parse_parts(value: Any, param: str) -> list[Part]:
    """Message content: a string or a list of text / image_url parts. Empty text is dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        return [TextPart(value)] if value else []
    if not isinstance(value, list):
        raise WireError(f"{param} must be a string or a list of parts", param=param)
    parts: list[Part] = []
    for i, raw in enumerate(f.bounded(value, param, nested=None)):
        p = f"{param}[{i}]"
        if isinstance(raw, str):  # some clients send bare strings in the list
            if raw:
                parts.append(TextPart(raw))
            continue
        part = f.obj(raw, p)
        kind = part.get("type")
        if kind in ("text", "input_text", "output_text", "refusal"):
            key = "refusal" if kind == "refusal" else "text"
            text = f.string(part.get(key), f"{p}.{key}")
            if text:
                parts.append(TextPart(text))
        elif kind == "image_url":
            image = part.get("image_url")
            url = image if isinstance(image, str) else f.obj(image, f"{p}.image_url").get("url")
            url = f.string(url, f"{p}.image_url.url")
            parts.append(ImagePart(url=url, media_type=f.data_url_media_type(url)))
        else:
            raise WireError(f"{p}.type {kind!r} is not supported (use text or image_url)", param=f"{p}.type")
    return parts


def parse_tool_calls(value: Any, param: str) -> list[ToolCall]:
    calls: list[ToolCall] = []
    for i, raw in enumerate(f.lst(value, param)):
        p = f"{param}[{i}]"
        call = f.obj(raw, p)
        fn = f.obj(call.get("function"), f"{p}.function")
        calls.append(
            ToolCall(
                id=f.string(call.get("id"), f"{p}.id"),
                name=f.string(fn.get("name"), f"{p}.function.name"),
                arguments=arguments(fn.get("arguments"), f"{p}.function.arguments"),
            )
        )
    return calls


def _parse_message(raw: Any, param: str) -> Message:
    body = f.obj(raw, param)
    role_name = body.get("role")
    if role_name == "function":  # legacy function result: treat as a tool result
        role_name = "tool"
    role = _ROLES.get(role_name) if isinstance(role_name, str) else None
    if role is None:
        raise WireError(
            f"{param}.role must be one of system, developer, user, assistant, tool (got {role_name!r})",
            param=f"{param}.role",
        )
    message = Message(role, parse_parts(body.get("content"), f"{param}.content"))  # role, content
    message.name = f.opt_str(body, "name", f"{param}.name")
    if role == "assistant" and body.get("tool_calls") is not None:
        message.tool_calls = parse_tool_calls(body["tool_calls"], f"{param}.tool_calls")
    if role == "tool":
        call_id = body.get("tool_call_id")
        if call_id is None and role_name == "tool" and body.get("role") == "function":
            call_id = body.get("name")
        message.tool_call_id = f.string(call_id, f"{param}.tool_call_id")
    return message


def _parse_tools(value: Any) -> list[Tool]:
    tools: list[Tool] = []
    for i, raw in enumerate(f.bounded(f.lst(value, "tools"), "tools", nested=None)):
        p = f"tools[{i}]"
        tool = f.obj(raw, p)
        if tool.get("type", "function") != "function":
            raise WireError(f"{p}.type must be 'function' (got {tool.get('type')!r})", param=f"{p}.type")
        fn = f.obj(tool.get("function"), f"{p}.function")
        params = f.opt_obj(fn, "parameters", f"{p}.function.parameters")
        tools.append(
            Tool(
                name=f.string(fn.get("name"), f"{p}.function.name"),
                description=f.opt_str(fn, "description", f"{p}.function.description") or "",
                parameters=params if params is not None else {"type": "object", "properties": {}},
            )
        )
    return tools


def _parse_tool_choice(value: Any) -> ToolChoice | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value not in ("auto", "none", "required"):
            raise WireError(
                "tool_choice must be 'auto', 'none', 'required' or a function", param="tool_choice"
            )
        return value
    choice = f.obj(value, "tool_choice")
    if choice.get("type") != "function":
        raise WireError("tool_choice.type must be 'function'", param="tool_choice.type")
    fn = f.obj(choice.get("function"), "tool_choice.function")
    return f.string(fn.get("name"), "tool_choice.function.name")


def parse_request(body: dict[str, Any], context: RequestContext) -> ChatRequest:
    """A client's chat-completions body -> canonical. Unknown fields are ignored."""
    body = f.obj(body, "body")
    raw_messages = body.get("messages")
    if raw_messages is None:
        raise WireError("messages is required", param="messages")
    raw_list = f.bounded(f.lst(raw_messages, "messages"), "messages")
    messages = [_parse_message(m, f"messages[{i}]") for i, m in enumerate(raw_list)]
    if not messages:
        raise WireError("messages must not be empty", param="messages")
    stream_options = f.opt_obj(body, "stream_options", "stream_options") or {}
    usage_opts = body.get("usage")  # OpenRouter: {"usage": {"include": true}}
    include_usage = bool(f.opt_bool(stream_options, "include_usage", "stream_options.include_usage")) or (
        isinstance(usage_opts, dict) and usage_opts.get("include") is True
    )
    # (minimum, bounds by position: keywords cost more than these reads)
    max_tokens = f.opt_int(body, "max_completion_tokens", "max_completion_tokens", 1)
    if max_tokens is None:
        max_tokens = f.opt_int(body, "max_tokens", "max_tokens", 1)
    effort = f.opt_str(body, "reasoning_effort", "reasoning_effort")
    reasoning = body.get("reasoning")  # OpenRouter: {"reasoning": {"effort": "high"}}
    if effort is None and isinstance(reasoning, dict) and isinstance(reasoning.get("effort"), str):
        effort = reasoning["effort"]
    tools = body.get("tools")
    parsed_tools = _parse_tools(tools) if tools is not None else []
    tool_choice = _parse_tool_choice(body.get("tool_choice"))
    parallel = f.opt_bool(body, "parallel_tool_calls", "parallel_tool_calls")
    stream = bool(f.opt_bool(body, "stream", "stream"))
    temperature = f.opt_float(body, "temperature", "temperature", (0.0, 2.0))
    top_p = f.opt_float(body, "top_p", "top_p", (0.0, 1.0))
    stop = f.stop_list(body.get("stop"), "stop")
    response_format = f.opt_obj(body, "response_format", "response_format")
    user = f.opt_str(body, "user", "user")
    # by position, in the fields' order (tests/test_positional.py): 15 keywords cost CPython more
    # than building the request; the model is read last: a body wrong in other ways says so first
    return ChatRequest(
        f.model(body),  # model
        messages,  # messages
        parsed_tools,  # tools
        tool_choice,  # tool_choice
        parallel,  # parallel_tool_calls
        stream,  # stream
        include_usage,  # include_usage
        max_tokens,  # max_tokens
        temperature,  # temperature
        top_p,  # top_p
        None,  # top_k
        stop,  # stop
        effort,  # reasoning_effort
        None,  # thinking_budget
        response_format,  # response_format
        user,  # user
        context,  # context
    )
