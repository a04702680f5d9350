"""Request schemas of the three dialects, as strict as the wire parsers: a body valid here is one
the gateway accepts (every field a parser reads is declared with the type it checks; unknown
fields stay allowed, since the parsers ignore them). `tests/fuzz/test_fuzz_openapi.py` checks
both directions with schemathesis against the live gateway."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

MAX_INT = 2**63 - 1
MAX_ITEMS = 10_000  # wire._fields.MAX_ITEMS: messages and their content blocks


def _obj(required: list[str], **properties: Any) -> JSON:
    return {"type": "object", "required": required, "properties": properties}


def _const(value: str) -> JSON:
    return {"const": value}


_STR = {"type": "string"}
_NONEMPTY = {"type": "string", "minLength": 1}
_BOOL = {"type": "boolean"}
_TOKENS = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
_OBJECT = {"type": "object"}
_MODEL = {
    "type": "string",
    "minLength": 1,
    "description": "a catalog id, or an auto tier such as `auto/efficient`",
}


def _sampling(temperature_max: float) -> JSON:
    return {
        "temperature": {"type": "number", "minimum": 0, "maximum": temperature_max},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
    }


# ---- chat completions ------------------------------------------------------------------------

_CHAT_PART = {
    "anyOf": [
        _STR,
        _obj(["type", "text"], type={"enum": ["text", "input_text", "output_text"]}, text=_STR),
        _obj(["type", "refusal"], type=_const("refusal"), refusal=_STR),
        _obj(
            ["type", "image_url"],
            type=_const("image_url"),
            image_url={"anyOf": [_STR, _obj(["url"], url=_STR)]},
        ),
    ]
}
_CHAT_CONTENT = {"anyOf": [_STR, {"type": "null"}, {"type": "array", "items": _CHAT_PART, "maxItems": 100}]}
_CHAT_CALL = _obj(
    ["id", "function"],
    id=_STR,
    type=_const("function"),
    function=_obj(["name"], name=_STR, arguments={"anyOf": [_STR, _OBJECT, {"type": "null"}]}),
)
_CHAT_MESSAGE = {
    "anyOf": [
        _obj(["role"], role={"enum": ["system", "developer", "user"]}, content=_CHAT_CONTENT, name=_STR),
        _obj(
            ["role"],
            role=_const("assistant"),
            content=_CHAT_CONTENT,
            name=_STR,
            tool_calls={"anyOf": [{"type": "array", "items": _CHAT_CALL}, {"type": "null"}]},
        ),
        _obj(
            ["role", "tool_call_id"], role=_const("tool"), content=_CHAT_CONTENT, tool_call_id=_STR, name=_STR
        ),
    ]
}
_CHAT_TOOL = _obj(
    ["function"],
    type=_const("function"),
    function=_obj(["name"], name=_STR, description=_STR, parameters=_OBJECT),
)
CHAT_REQUEST = _obj(
    ["model", "messages"],
    model=_MODEL,
    messages={"type": "array", "items": _CHAT_MESSAGE, "minItems": 1, "maxItems": MAX_ITEMS},
    stream=_BOOL,
    stream_options=_obj([], include_usage=_BOOL),
    tools={"type": "array", "items": _CHAT_TOOL},
    tool_choice={
        "anyOf": [
            {"enum": ["auto", "none", "required"]},
            _obj(["type", "function"], type=_const("function"), function=_obj(["name"], name=_STR)),
        ]
    },
    parallel_tool_calls=_BOOL,
    max_tokens=_TOKENS,
    max_completion_tokens=_TOKENS,
    stop={"anyOf": [_STR, {"type": "array", "items": _STR}]},
    reasoning_effort=_STR,
    response_format=_OBJECT,
    user=_STR,
    **_sampling(2),
)

# ---- Anthropic Messages ----------------------------------------------------------------------

_TEXT_BLOCK = _obj(["type", "text"], type=_const("text"), text=_STR)
_IMAGE_BLOCK = _obj(
    ["type", "source"],
    type=_const("image"),
    source={
        "anyOf": [
            _obj(["type", "media_type", "data"], type=_const("base64"), media_type=_STR, data=_STR),
            _obj(["type", "url"], type=_const("url"), url=_STR),
        ]
    },
)
_THINKING_BLOCK = {
    "anyOf": [
        _obj(["type", "thinking"], type=_const("thinking"), thinking=_STR, signature=_STR),
        _obj(["type", "data"], type=_const("redacted_thinking"), data=_STR),
    ]
}
_RESULT_CONTENT = {"anyOf": [_STR, {"type": "array", "items": {"anyOf": [_TEXT_BLOCK, _IMAGE_BLOCK]}}]}
_USER_BLOCK = {
    "anyOf": [
        _TEXT_BLOCK,
        _IMAGE_BLOCK,
        _THINKING_BLOCK,
        _obj(
            ["type", "tool_use_id"],
            type=_const("tool_result"),
            tool_use_id=_STR,
            content=_RESULT_CONTENT,
            is_error=_BOOL,
        ),
    ]
}
_ASSISTANT_BLOCK = {
    "anyOf": [
        _TEXT_BLOCK,
        _THINKING_BLOCK,
        _obj(["type", "id", "name"], type=_const("tool_use"), id=_STR, name=_STR, input=_OBJECT),
    ]
}
_ANTHROPIC_MESSAGE = {
    "anyOf": [
        _obj(
            ["role", "content"],
            role=_const("user"),
            content={"anyOf": [_STR, {"type": "array", "items": _USER_BLOCK, "maxItems": 100}]},
        ),
        _obj(
            ["role", "content"],
            role=_const("assistant"),
            content={"anyOf": [_STR, {"type": "array", "items": _ASSISTANT_BLOCK, "maxItems": 100}]},
        ),
    ]
}
_ANTHROPIC_TOOL = {
    "anyOf": [
        _obj(
            ["name", "input_schema"], type=_const("custom"), name=_STR, description=_STR, input_schema=_OBJECT
        ),
        _obj(["type", "name"], type={"type": "string", "not": _const("custom")}, name=_STR),
    ]
}
MESSAGES_REQUEST = _obj(
    ["model", "messages", "max_tokens"],
    model=_MODEL,
    max_tokens=_TOKENS,
    system={"anyOf": [_STR, {"type": "array", "items": _TEXT_BLOCK, "maxItems": 100}]},
    messages={"type": "array", "items": _ANTHROPIC_MESSAGE, "minItems": 1, "maxItems": MAX_ITEMS},
    stream=_BOOL,
    tools={"type": "array", "items": _ANTHROPIC_TOOL},
    tool_choice={
        "anyOf": [
            _obj(["type"], type={"enum": ["auto", "any", "none"]}, disable_parallel_tool_use=_BOOL),
            _obj(["type", "name"], type=_const("tool"), name=_STR, disable_parallel_tool_use=_BOOL),
        ]
    },
    stop_sequences={"type": "array", "items": _STR},
    thinking=_OBJECT,
    metadata=_obj([], user_id=_STR),
    top_k={"type": "integer", "minimum": 1},
    **_sampling(1),
)

# ---- OpenAI Responses ------------------------------------------------------------------------

_RESPONSES_PART = {
    "anyOf": [
        _obj(
            ["type", "text"], type={"enum": ["input_text", "output_text", "text", "summary_text"]}, text=_STR
        ),
        _obj(["type", "refusal"], type=_const("refusal"), refusal=_STR),
        _obj(["type", "image_url"], type=_const("input_image"), image_url=_STR),
    ]
}
_RESPONSES_CONTENT = {"anyOf": [_STR, {"type": "array", "items": _RESPONSES_PART, "maxItems": 100}]}
_ROLE = {"enum": ["user", "system", "developer", "assistant"]}
_USER_ITEM = _obj(
    ["role", "content"], type=_const("message"), role=_const("user"), content=_RESPONSES_CONTENT
)
_RESPONSES_ITEM = {
    "anyOf": [
        _obj(["role", "content"], type=_const("message"), role=_ROLE, content=_RESPONSES_CONTENT),
        _obj(
            ["type", "call_id", "name", "arguments"],
            type=_const("function_call"),
            call_id=_STR,
            name=_STR,
            arguments=_STR,
        ),
        _obj(
            ["type", "call_id", "output"],
            type=_const("function_call_output"),
            call_id=_STR,
            output=_RESPONSES_CONTENT,
        ),
        _obj(["type"], type=_const("reasoning")),
    ]
}
RESPONSES_REQUEST = _obj(
    ["model", "input"],
    model=_MODEL,
    input={
        "anyOf": [
            _NONEMPTY,
            # at least one item that is not a system/developer message
            {"type": "array", "items": _RESPONSES_ITEM, "maxItems": MAX_ITEMS, "contains": _USER_ITEM},
        ]
    },
    instructions={"type": ["string", "null"]},
    stream=_BOOL,
    tools={
        "type": "array",
        "items": {
            "anyOf": [
                _obj(
                    ["type", "name"], type=_const("function"), name=_STR, description=_STR, parameters=_OBJECT
                ),
                _obj(["type"], type={"type": "string", "not": _const("function")}),
            ]
        },
    },
    tool_choice={"enum": ["auto", "none", "required"]},
    parallel_tool_calls=_BOOL,
    max_output_tokens=_TOKENS,
    reasoning=_obj([], effort=_STR),
    text=_obj([], format=_obj([], type=_STR)),
    user=_STR,
    safety_identifier=_STR,
    **_sampling(2),
)


def sse(events: str) -> JSON:
    """A `text/event-stream` response body: its events, described."""
    return {
        "schema": {"type": "string", "description": f"Server-sent events: {events}"},
        "itemSchema": {
            "type": "object",
            "properties": {"event": _STR, "data": {"type": "string", "contentMediaType": "application/json"}},
        },
    }


SSE_EVENTS = {
    "chat": "`data: <chat.completion.chunk JSON>` lines, then `data: [DONE]`; a failure mid-stream is a "
    '`data: {"error": {...}}` event before `[DONE]`',
    "messages": "Anthropic's `message_start`, `content_block_*`, `message_delta`, `message_stop` and `ping` "
    'events; a failure mid-stream is `event: error` with `{"type": "error", "error": {...}}`',
    "responses": "`response.created`, `response.output_text.delta`, ..., `response.completed` (each with a "
    "`sequence_number`); a failure mid-stream is `response.failed`",
}
