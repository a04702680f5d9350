"""OpenAI Responses: the client's request body (the Codex CLI, the OpenAI SDK) -> canonical.

`parse_parts` is shared with the upstream response parser in `wire.responses`.
"""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire import _fields as f
from benchroute.wire.canonical import (
    ChatRequest,
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

JSON = dict[str, Any]

_TEXT_PARTS = frozenset({"input_text", "output_text", "text", "refusal", "summary_text"})
_ROLES = {"user": "user", "system": "system", "developer": "system", "assistant": "assistant"}


def parse_parts(value: Any, param: str) -> list[Part]:
    if value is None:
        return []
    if isinstance(value, str):
        return [TextPart(value)] if value else []
    if not isinstance(value, list):
        raise WireError(f"{param} must be a string or a list of content parts", param=param)
    parts: list[Part] = []
    for i, raw in enumerate(f.bounded(value, param, nested=None)):
        p = f"{param}[{i}]"
        part = f.obj(raw, p)
        kind = f.tag(part, "type", f"{p}.type")
        if kind in _TEXT_PARTS:
            key = "refusal" if kind == "refusal" else "text"
            text = f.string(part.get(key), f"{p}.{key}")
            if text:
                parts.append(TextPart(text))
        elif kind == "input_image":
            url = part.get("image_url")
            if url is None:
                raise WireError(
                    f"{p}.image_url is required (file_id images are not supported)", param=f"{p}.image_url"
                )
            url = f.string(url, f"{p}.image_url")
            parts.append(ImagePart(url=url, media_type=f.data_url_media_type(url)))
        else:
            raise WireError(f"{p}.type {kind!r} is not supported", param=f"{p}.type")
    return parts


def _pending_assistant(messages: list[Message]) -> Message:
    """The assistant message a function_call item belongs to: the previous one if nothing followed it."""
    if messages and messages[-1].role == "assistant":
        return messages[-1]
    message = Message(role="assistant")
    messages.append(message)
    return message


def _message_item(item: JSON, p: str, messages: list[Message]) -> None:
    raw_role = item.get("role")
    role = _ROLES.get(raw_role) if isinstance(raw_role, str) else None
    if role is None:
        raise WireError(
            f"{p}.role must be one of user, system, developer, assistant (got {raw_role!r})",
            param=f"{p}.role",
        )
    content = parse_parts(item.get("content"), f"{p}.content")
    if role != "assistant":
        messages.append(Message(role="user" if role == "user" else "system", content=content))
    elif messages and messages[-1].role == "assistant" and not messages[-1].tool_calls:
        messages[-1].content += content  # one assistant turn split over items
    else:
        messages.append(Message(role="assistant", content=content))


def _call_item(kind: str, item: JSON, p: str) -> ToolCall:
    call_id = f.string(item.get("call_id"), f"{p}.call_id")
    if kind == "local_shell_call":  # keeps its output (a function_call_output) paired
        action = item.get("action")
        arguments = orjson.dumps(action if isinstance(action, dict) else {}).decode()
        return ToolCall(id=call_id, name="local_shell", arguments=arguments)
    args = item.get("arguments") if kind == "function_call" else item.get("input")
    if kind == "custom_tool_call" and isinstance(args, str):
        args = orjson.dumps({"input": args}).decode()
    return ToolCall(
        id=call_id,
        name=f.string(item.get("name"), f"{p}.name"),
        arguments=f.string(args if args is not None else "", f"{p}.arguments"),
    )


def _output_item(item: JSON, p: str) -> Message:
    return Message(
        role="tool",
        content=parse_parts(item.get("output"), f"{p}.output"),
        # local_shell_call_output names its call by `id`
        tool_call_id=f.string(item.get("call_id", item.get("id")), f"{p}.call_id"),
    )


_CALLS = frozenset({"function_call", "custom_tool_call", "local_shell_call"})
_OUTPUTS = frozenset({"function_call_output", "custom_tool_call_output", "local_shell_call_output"})


def _items(value: Any) -> list[Message]:
    if isinstance(value, str):
        return [Message(role="user", content=[TextPart(value)])] if value else []
    messages: list[Message] = []
    for i, raw in enumerate(f.bounded(f.lst(value, "input"), "input")):
        p = f"input[{i}]"
        item = f.obj(raw, p)
        kind = f.tag(item, "type", f"{p}.type") or ("message" if "role" in item else None)
        if kind == "message":
            _message_item(item, p, messages)
        elif kind in _CALLS:
            _pending_assistant(messages).tool_calls.append(_call_item(kind, item, p))
        elif kind in _OUTPUTS:
            messages.append(_output_item(item, p))
        elif kind is None:
            raise WireError(f"{p}.type is required", param=f"{p}.type")
        # reasoning, item_reference and hosted-tool call items carry nothing a canonical request can use
    return messages


def _tools(value: Any, dropped: list[str]) -> list[Tool]:
    tools: list[Tool] = []
    for i, raw in enumerate(f.bounded(f.lst(value, "tools"), "tools", nested=None)):
        p = f"tools[{i}]"
        tool = f.obj(raw, p)
        kind = f.tag(tool, "type", f"{p}.type")
        if kind != "function":
            name = tool.get("name")
            dropped.append(name if isinstance(name, str) and name else str(kind))
            continue
        params = f.opt_obj(tool, "parameters", f"{p}.parameters")
        tools.append(
            Tool(
                name=f.string(tool.get("name"), f"{p}.name"),
                description=f.opt_str(tool, "description", f"{p}.description") or "",
                parameters=params if params is not None else {"type": "object", "properties": {}},
            )
        )
    return tools


def _tool_choice(value: Any, dropped: list[str]) -> ToolChoice | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value not in ("auto", "none", "required"):
            raise WireError("tool_choice must be 'auto', 'none', 'required' or a tool", param="tool_choice")
        return value
    choice = f.obj(value, "tool_choice")
    kind = f.tag(choice, "type", "tool_choice.type")
    if kind == "allowed_tools":
        mode = choice.get("mode")
        return "required" if mode == "required" else "auto"
    name = choice.get("name") if kind in ("function", "custom", "mcp") else kind
    if kind == "function" and name not in dropped:
        return f.string(name, "tool_choice.name")
    raise WireError(
        f"tool_choice names the hosted tool {name!r}, which benchroute does not support",
        param="tool_choice",
    )


def _response_format(text: Any) -> JSON | None:
    fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict) or f.tag(fmt, "type", "text.format.type") in (None, "text"):
        return None
    if fmt.get("type") == "json_schema":
        schema = {k: v for k, v in fmt.items() if k in ("name", "schema", "strict", "description")}
        return {"type": "json_schema", "json_schema": schema}
    return dict(fmt)


def parse_request(
    body: dict[str, Any], context: RequestContext, *, dropped_tools: list[str] | None = None
) -> ChatRequest:
    """A client's Responses body -> canonical. Unknown fields (store, include...) are ignored."""
    body = f.obj(body, "body")
    dropped = dropped_tools if dropped_tools is not None else []
    if body.get("input") is None:
        raise WireError("input is required", param="input")
    messages = _items(body["input"])
    instructions = f.opt_str(body, "instructions", "instructions")
    if instructions:
        messages.insert(0, Message(role="system", content=[TextPart(instructions)]))
    if not any(m.role != "system" for m in messages):
        raise WireError("input must contain at least one message", param="input")
    raw_tools = body.get("tools")
    tools = _tools(raw_tools, dropped) if raw_tools is not None else []
    reasoning = f.opt_obj(body, "reasoning", "reasoning") or {}
    stream = bool(f.opt_bool(body, "stream", "stream"))
    return ChatRequest(
        messages=messages,
        tools=tools,
        tool_choice=_tool_choice(body.get("tool_choice"), dropped),
        parallel_tool_calls=f.opt_bool(body, "parallel_tool_calls", "parallel_tool_calls"),
        stream=stream,
        include_usage=stream,  # response.completed always carries usage
        max_tokens=f.opt_int(body, "max_output_tokens", "max_output_tokens", minimum=1),
        temperature=f.opt_float(body, "temperature", "temperature", bounds=(0.0, 2.0)),
        top_p=f.opt_float(body, "top_p", "top_p", bounds=(0.0, 1.0)),
        reasoning_effort=f.opt_str(reasoning, "effort", "reasoning.effort"),
        response_format=_response_format(body.get("text")),
        user=f.opt_str(body, "user", "user") or f.opt_str(body, "safety_identifier", "safety_identifier"),
        context=context,
        model=f.model(body),  # last: a body wrong in other ways says so first
    )
