"""OpenAI Responses ⇄ canonical, as the Codex CLI speaks it.

Client direction: `parse_request`, `render_response`, `StreamRenderer`. Upstream direction (an
upstream that speaks Responses): `render_request`, `parse_response`, `StreamParser`.
Pure functions over JSON-decoded dicts; no I/O.

Hosted tools (web_search, file_search, local_shell, custom, namespace, mcp...) have no canonical
form: `parse_request` drops them and appends their names to `dropped_tools` for the caller to log;
a `tool_choice` that names a dropped tool is an error. `reasoning` input items are dropped (their
content is opaque to other providers).
"""

from __future__ import annotations

from typing import Any

import orjson

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

_TEXT_PARTS = frozenset({"input_text", "output_text", "text", "refusal", "summary_text"})
_ROLES = {"user": "user", "system": "system", "developer": "system", "assistant": "assistant"}

# ---- client body -> canonical ----------------------------------------------------------------


def _parts(value: Any, param: str) -> list[Part]:
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


def _items(value: Any) -> list[Message]:
    if isinstance(value, str):
        return [Message(role="user", content=[TextPart(value)])] if value else []
    messages: list[Message] = []
    for i, raw in enumerate(f.bounded(f.lst(value, "input"), "input")):
        p = f"input[{i}]"
        item = f.obj(raw, p)
        kind = f.tag(item, "type", f"{p}.type") or ("message" if "role" in item else None)
        if kind == "message":
            raw_role = item.get("role")
            role = _ROLES.get(raw_role) if isinstance(raw_role, str) else None
            if role is None:
                raise WireError(
                    f"{p}.role must be one of user, system, developer, assistant (got {raw_role!r})",
                    param=f"{p}.role",
                )
            content = _parts(item.get("content"), f"{p}.content")
            if role == "assistant":
                if messages and messages[-1].role == "assistant" and not messages[-1].tool_calls:
                    messages[-1].content += content  # one assistant turn split over items
                else:
                    messages.append(Message(role="assistant", content=content))
            else:
                messages.append(Message(role="user" if role == "user" else "system", content=content))
        elif kind in ("function_call", "custom_tool_call"):
            args = item.get("arguments") if kind == "function_call" else item.get("input")
            if kind == "custom_tool_call" and isinstance(args, str):
                args = orjson.dumps({"input": args}).decode()
            _pending_assistant(messages).tool_calls.append(
                ToolCall(
                    id=f.string(item.get("call_id"), f"{p}.call_id"),
                    name=f.string(item.get("name"), f"{p}.name"),
                    arguments=f.string(args if args is not None else "", f"{p}.arguments"),
                )
            )
        elif kind == "local_shell_call":  # keeps its output (a function_call_output) paired
            action = item.get("action")
            _pending_assistant(messages).tool_calls.append(
                ToolCall(
                    id=f.string(item.get("call_id"), f"{p}.call_id"),
                    name="local_shell",
                    arguments=orjson.dumps(action if isinstance(action, dict) else {}).decode(),
                )
            )
        elif kind in ("function_call_output", "custom_tool_call_output", "local_shell_call_output"):
            messages.append(
                Message(
                    role="tool",
                    content=_parts(item.get("output"), f"{p}.output"),
                    # local_shell_call_output names its call by `id`
                    tool_call_id=f.string(item.get("call_id", item.get("id")), f"{p}.call_id"),
                )
            )
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
                message.content += _parts(item.get("content"), f"output[{i}].content")
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
