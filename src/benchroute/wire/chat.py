"""OpenAI chat completions ⇄ canonical, in both directions.

Client direction: `parse_request` reads what a client (Kilo Code, the OpenAI SDK) sent;
`render_response` / `StreamRenderer` answer it. Upstream direction: `render_request` builds the body
for an OpenAI-compatible upstream; `parse_response` / `StreamParser` read its answer.
All pure functions over JSON-decoded dicts; no I/O.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from benchroute.wire import _fields as f
from benchroute.wire._openai_common import (
    arguments,
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
    RequestContext,
    Role,
    TextPart,
    Tool,
    ToolCall,
    ToolChoice,
)
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

_ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
}
# ---- client body -> canonical ----------------------------------------------------------------


def _parse_parts(value: Any, param: str) -> list[Part]:
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


def _parse_tool_calls(value: Any, param: str) -> list[ToolCall]:
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
    message = Message(role=role, content=_parse_parts(body.get("content"), f"{param}.content"))
    message.name = f.opt_str(body, "name", f"{param}.name")
    if role == "assistant" and body.get("tool_calls") is not None:
        message.tool_calls = _parse_tool_calls(body["tool_calls"], f"{param}.tool_calls")
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
    max_tokens = f.opt_int(body, "max_completion_tokens", "max_completion_tokens", minimum=1)
    if max_tokens is None:
        max_tokens = f.opt_int(body, "max_tokens", "max_tokens", minimum=1)
    effort = f.opt_str(body, "reasoning_effort", "reasoning_effort")
    reasoning = body.get("reasoning")  # OpenRouter: {"reasoning": {"effort": "high"}}
    if effort is None and isinstance(reasoning, dict) and isinstance(reasoning.get("effort"), str):
        effort = reasoning["effort"]
    tools = body.get("tools")
    return ChatRequest(
        messages=messages,
        tools=_parse_tools(tools) if tools is not None else [],
        tool_choice=_parse_tool_choice(body.get("tool_choice")),
        parallel_tool_calls=f.opt_bool(body, "parallel_tool_calls", "parallel_tool_calls"),
        stream=bool(f.opt_bool(body, "stream", "stream")),
        include_usage=include_usage,
        max_tokens=max_tokens,
        temperature=f.opt_float(body, "temperature", "temperature", bounds=(0.0, 2.0)),
        top_p=f.opt_float(body, "top_p", "top_p", bounds=(0.0, 1.0)),
        stop=f.stop_list(body.get("stop"), "stop"),
        reasoning_effort=effort,
        response_format=f.opt_obj(body, "response_format", "response_format"),
        user=f.opt_str(body, "user", "user"),
        context=context,
        model=f.model(body),  # last: a body wrong in other ways says so first
    )


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
    *,
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
        content = _parse_parts(raw.get("content"), "choices[0].message.content")
        calls = _parse_tool_calls(raw.get("tool_calls") or [], "choices[0].message.tool_calls")
    except WireError as exc:
        raise WireError(f"upstream response: {exc.message}", param=exc.param, status=502) from exc
    created = body.get("created")
    return ChatResponse(
        id=str(body.get("id") or ""),
        model=model,
        message=Message(role="assistant", content=content, tool_calls=calls),
        finish_reason=finish_reason(choice.get("finish_reason")),
        usage=parse_usage(body.get("usage")),
        created=created if isinstance(created, int) else 0,
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
