"""Anthropic Messages ⇄ canonical: client parsing, upstream rendering, responses and streams."""

from __future__ import annotations

import dataclasses
from typing import Any

import anthropic
import httpx2 as httpx
import orjson
import pytest
from anthropic.types import Message as AnthropicMessage
from anthropic.types import RawMessageStreamEvent
from hypothesis import given
from pydantic import TypeAdapter
from wire_strategies import CONTEXT, event_streams, requests, responses, summarize, wire_settings

from benchroute.wire import anthropic as wire
from benchroute.wire import chat
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    Finish,
    ImagePart,
    Message,
    ReasoningDelta,
    RequestContext,
    StreamError,
    StreamEvent,
    TextDelta,
    TextPart,
    Thinking,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageReport,
)
from benchroute.wire.errors import WireError
from benchroute.wire.sse import decode_json, parse_sse

STREAM_EVENT = TypeAdapter[Any](RawMessageStreamEvent)

CLAUDE_CODE_BODY: dict[str, Any] = {
    "model": "auto",
    "max_tokens": 32000,
    "system": [
        {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Be concise."},
    ],
    "messages": [
        {"role": "user", "content": "fix the bug in app.py"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "look first", "signature": "sig"},
                {"type": "text", "text": "Reading both files."},
                {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"file_path": "app.py"}},
                {"type": "tool_use", "id": "toolu_2", "name": "Read", "input": {"file_path": "test_app.py"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "def f(): pass"},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_2",
                    "content": [{"type": "text", "text": "No such file"}],
                    "is_error": True,
                },
                {"type": "text", "text": "also check the image"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
                },
            ],
        },
    ],
    "tools": [
        {
            "name": "Read",
            "description": "Read a file",
            "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}},
        },
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 5},
    ],
    "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
    "stop_sequences": ["</done>"],
    "temperature": 1,
    "stream": True,
    "metadata": {"user_id": "user_abc"},
    "thinking": {"type": "enabled", "budget_tokens": 10000},
    "anthropic_beta_thing": True,
}


def test_parse_request_reads_a_claude_code_body() -> None:
    dropped: list[str] = []
    req = wire.parse_request(CLAUDE_CODE_BODY, RequestContext(api_kind="messages"), dropped_tools=dropped)
    roles = [m.role for m in req.messages]
    assert roles == ["system", "user", "assistant", "tool", "tool", "user"]
    assert req.messages[0].content == [
        TextPart("You are Claude Code.", cache_control={"type": "ephemeral"}),
        TextPart("Be concise."),
    ]
    assistant = req.messages[2]
    assert assistant.content == [TextPart("Reading both files.")]
    assert assistant.thinking == [Thinking("look first", "sig")]  # kept, to go back to Anthropic
    assert assistant.tool_calls == [
        ToolCall("toolu_1", "Read", '{"file_path":"app.py"}'),
        ToolCall("toolu_2", "Read", '{"file_path":"test_app.py"}'),
    ]
    ok, failed, user = req.messages[3:]
    assert ok.tool_call_id == "toolu_1" and ok.text == "def f(): pass" and not ok.is_error
    assert failed.tool_call_id == "toolu_2" and failed.text == "No such file" and failed.is_error
    assert user.content == [
        TextPart("also check the image"),
        ImagePart("data:image/png;base64,iVBORw0KGgo=", media_type="image/png"),
    ]
    assert [t.name for t in req.tools] == ["Read"] and dropped == ["web_search"]
    assert req.tool_choice == "required" and req.parallel_tool_calls is False
    assert req.max_tokens == 32000 and req.stop == ["</done>"] and req.temperature == 1.0
    assert req.stream and req.include_usage
    assert req.user == "user_abc"
    assert req.reasoning_effort == "high" and req.thinking_budget == 10000


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"max_tokens": 10}, "messages is required"),
        ({"messages": []}, "messages must not be empty"),
        (
            {"messages": [{"role": "system", "content": "x"}]},
            "messages[0].role must be 'user' or 'assistant'",
        ),
        ({"messages": [{"role": "user", "content": 7}]}, "messages[0].content must be a string or a list"),
        ({"messages": [{"role": "user", "content": [{"type": "document"}]}]}, "'document' is not supported"),
        (
            {"messages": [{"role": "user", "content": [{"type": "tool_result", "content": "x"}]}]},
            "messages[0].content[0].tool_use_id must be a string",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "tools": [{"name": "a"}]},
            "tools[0].input_schema must be an object",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "tool_choice": {"type": "maybe"}},
            "tool_choice.type",
        ),
        ({"messages": [{"role": "user", "content": "x"}], "system": 5}, "system must be a string or a list"),
        (
            {"messages": [{"role": "user", "content": "x"}], "max_tokens": -1},
            "max_tokens must be an integer of at least 1",
        ),
    ],
)
def test_malformed_bodies_say_exactly_what_is_wrong(body: dict[str, Any], message: str) -> None:
    with pytest.raises(WireError) as info:
        wire.parse_request(body, RequestContext())
    assert message in info.value.message and info.value.status == 400


def test_render_request_hoists_system_and_merges_tool_results() -> None:
    req = wire.parse_request(CLAUDE_CODE_BODY, RequestContext())
    body = wire.render_request(req, "claude-sonnet-4-5")
    assert body["model"] == "claude-sonnet-4-5" and body["max_tokens"] == 32000
    assert body["system"] == [
        {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Be concise."},
    ]
    assert [t["role"] for t in body["messages"]] == ["user", "assistant", "user"]
    last = body["messages"][2]["content"]
    assert [b["type"] for b in last] == ["tool_result", "tool_result", "text", "image"]
    assert last[1] == {
        "type": "tool_result",
        "tool_use_id": "toolu_2",
        "content": "No such file",
        "is_error": True,
    }
    assert body["messages"][1]["content"][0] == {
        "type": "thinking",
        "thinking": "look first",
        "signature": "sig",
    }
    assert body["messages"][1]["content"][2] == {
        "type": "tool_use",
        "id": "toolu_1",
        "name": "Read",
        "input": {"file_path": "app.py"},
    }
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    assert body["metadata"] == {"user_id": "user_abc"} and body["stream"] is True


def test_chat_request_renders_to_messages_with_defaults() -> None:
    body = {
        "model": "auto",
        "messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "not json"}}
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "out"},
        ],
    }
    rendered = wire.render_request(chat.parse_request(body, RequestContext()), "claude-haiku-4-5")
    assert rendered["system"] == "sys" and rendered["max_tokens"] == wire.DEFAULT_MAX_TOKENS
    assert rendered["messages"][1]["content"] == [{"type": "tool_use", "id": "c1", "name": "f", "input": {}}]
    assert rendered["messages"][2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "c1", "content": "out"}],
    }


def test_messages_request_to_chat_keeps_tool_calls_and_results_paired() -> None:
    req = wire.parse_request(CLAUDE_CODE_BODY, RequestContext())
    body = chat.render_request(req, "gpt-5-mini")
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "tool", "tool", "user"]
    call_ids = [c["id"] for c in msgs[2]["tool_calls"]]
    assert call_ids == ["toolu_1", "toolu_2"]
    assert [m["tool_call_id"] for m in msgs[3:5]] == call_ids  # results follow their calls directly
    assert orjson.loads(msgs[2]["tool_calls"][0]["function"]["arguments"]) == {"file_path": "app.py"}
    assert body["tool_choice"] == "required" and body["parallel_tool_calls"] is False


MESSAGE: dict[str, Any] = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "thinking", "thinking": "hmm", "signature": "s"},
        {"type": "text", "text": "Running it."},
        {"type": "tool_use", "id": "toolu_9", "name": "Bash", "input": {"command": "pytest -q"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 12,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 2000,
        "output_tokens": 40,
    },
}


def test_parse_response_counts_cached_tokens_into_the_prompt() -> None:
    AnthropicMessage.model_validate(MESSAGE)
    resp = wire.parse_response(MESSAGE, "anthropic/claude-sonnet-4.5")
    assert resp.message.content == [TextPart("Running it.")]
    assert resp.message.tool_calls == [ToolCall("toolu_9", "Bash", '{"command":"pytest -q"}')]
    assert resp.finish_reason == "tool_calls"
    assert resp.usage == Usage(prompt_tokens=2112, completion_tokens=40, cached_tokens=2000)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        {"choices": []},
        {"type": "message", "content": "text"},
        {"type": "message", "content": [{"type": "tool_use", "id": "x", "name": "n", "input": [1]}]},
    ],
)
def test_parse_response_rejects_non_messages_as_bad_gateway(body: dict[str, Any]) -> None:
    with pytest.raises(WireError) as info:
        wire.parse_response(body, "m")
    assert info.value.status == 502


def test_render_response_is_a_valid_anthropic_message() -> None:
    resp = ChatResponse(
        id="msg_x",
        model="openai/gpt-5-mini",
        message=Message("assistant", [TextPart("ok")], tool_calls=[ToolCall("c", "ls", '{"a":1}')]),
        finish_reason="tool_calls",
        usage=Usage(1000, 10, cached_tokens=600),
    )
    body = wire.render_response(resp)
    parsed = AnthropicMessage.model_validate(body)
    assert parsed.model == "openai/gpt-5-mini" and parsed.stop_reason == "tool_use"
    assert parsed.usage.input_tokens == 400 and parsed.usage.cache_read_input_tokens == 600
    assert body["content"][1] == {"type": "tool_use", "id": "c", "name": "ls", "input": {"a": 1}}
    for reason, expected in [("length", "max_tokens"), ("stop", "end_turn"), ("content_filter", "refusal")]:
        other = dataclasses.replace(resp, finish_reason=reason, message=Message("assistant", [TextPart("x")]))
        assert wire.render_response(other)["stop_reason"] == expected


# ---- streams ---------------------------------------------------------------------------------

UPSTREAM: list[dict[str, Any]] = [
    {
        "type": "message_start",
        "message": {
            **MESSAGE,
            "content": [],
            "stop_reason": None,
            "usage": {
                "input_tokens": 12,
                "cache_creation_input_tokens": 100,
                "cache_read_input_tokens": 2000,
                "output_tokens": 1,
            },
        },
    },
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "thinking", "thinking": "", "signature": ""},
    },
    {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "plan"}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "abc"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "ping"},
    {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Running"}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": " it."}},
    {"type": "content_block_stop", "index": 1},
    {
        "type": "content_block_start",
        "index": 2,
        "content_block": {"type": "tool_use", "id": "toolu_9", "name": "Bash", "input": {}},
    },
    {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": ""}},
    {
        "type": "content_block_delta",
        "index": 2,
        "delta": {"type": "input_json_delta", "partial_json": '{"command":'},
    },
    {
        "type": "content_block_delta",
        "index": 2,
        "delta": {"type": "input_json_delta", "partial_json": '"ls"}'},
    },
    {"type": "content_block_stop", "index": 2},
    {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {"output_tokens": 40},
    },
    {"type": "message_stop"},
]


def test_stream_parser_reads_an_anthropic_stream() -> None:
    for event in UPSTREAM:
        STREAM_EVENT.validate_python(event) if event["type"] != "ping" else None
    parser = wire.StreamParser()
    events = [e for event in UPSTREAM for e in parser.feed(event)]
    assert events == [
        ReasoningDelta("plan"),
        ReasoningDelta("", signature="abc"),
        TextDelta("Running"),
        TextDelta(" it."),
        ToolCallDelta(2, id="toolu_9", name="Bash"),
        ToolCallDelta(2, arguments='{"command":'),
        ToolCallDelta(2, arguments='"ls"}'),
        Finish("tool_calls"),
        UsageReport(Usage(prompt_tokens=2112, completion_tokens=40, cached_tokens=2000)),
    ]


def test_stream_parser_reports_errors_in_band() -> None:
    event = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    assert wire.StreamParser().feed(event) == [StreamError("Overloaded", kind="overloaded_error")]


def _render(events: list[StreamEvent], renderer: wire.StreamRenderer | None = None) -> bytes:
    renderer = renderer or wire.StreamRenderer("msg_r", "openai/gpt-5-mini", 0, True)
    return b"".join(renderer.render(e) for e in events) + renderer.finish()


def _upstream_events() -> list[StreamEvent]:
    parser = wire.StreamParser()
    return [e for event in UPSTREAM for e in parser.feed(event)]


def test_stream_renderer_emits_events_in_sdk_order() -> None:
    data = _render([TextDelta("hello"), *_upstream_events()])
    sse = parse_sse(data)
    names = [e.event for e in sse]
    assert names == [
        "message_start",
        "content_block_start",  # text "hello"
        "content_block_delta",
        "content_block_stop",
        "content_block_start",  # thinking
        "content_block_delta",
        "content_block_delta",  # its signature
        "content_block_stop",
        "content_block_start",  # text
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",  # tool_use
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    payloads = [decode_json(e) for e in sse]
    for event, payload in zip(sse, payloads, strict=True):
        assert payload["type"] == event.event
        STREAM_EVENT.validate_python(payload)
    assert payloads[0]["message"]["model"] == "openai/gpt-5-mini"
    assert [p["index"] for p in payloads if p["type"] == "content_block_start"] == [0, 1, 2, 3]
    assert payloads[-2]["delta"]["stop_reason"] == "tool_use"
    assert payloads[-2]["usage"] == {
        "input_tokens": 112,
        "output_tokens": 40,
        "cache_read_input_tokens": 2000,
        "cache_creation_input_tokens": 0,
    }


def test_stream_renderer_ends_an_error_with_an_error_event() -> None:
    renderer = wire.StreamRenderer("msg_e", "m", 0, True)
    data = renderer.render(TextDelta("partial")) + renderer.render(
        StreamError("upstream died", kind="api_error")
    )
    assert renderer.finish() == b"" and renderer.render(TextDelta("late")) == b""
    last = parse_sse(data)[-1]
    assert last.event == "error"
    assert decode_json(last) == {"type": "error", "error": {"type": "api_error", "message": "upstream died"}}
    assert renderer.keepalive() == b'event: ping\ndata: {"type":"ping"}\n\n'


def test_stream_renderer_for_an_empty_answer_is_still_a_message() -> None:
    names = [e.event for e in parse_sse(wire.StreamRenderer("m", "x", 0, True).finish())]
    assert names == ["message_start", "message_delta", "message_stop"]


# ---- round trips -----------------------------------------------------------------------------


@wire_settings
@given(requests(choices=("auto", "none", "required"), tool_errors=True, extras=False))
def test_request_round_trip(req: ChatRequest) -> None:
    body = orjson.loads(orjson.dumps(wire.render_request(req, "auto")))
    top_p = req.top_p if req.temperature is None else None  # Claude takes one of the two
    expected = dataclasses.replace(req, max_tokens=req.max_tokens or wire.DEFAULT_MAX_TOKENS, top_p=top_p)
    assert wire.parse_request(body, CONTEXT) == expected


@wire_settings
@given(responses())
def test_response_round_trip(resp: ChatResponse) -> None:
    body = orjson.loads(orjson.dumps(wire.render_response(resp)))
    AnthropicMessage.model_validate(body)
    assert wire.parse_response(body, resp.model) == dataclasses.replace(resp, created=0)


@wire_settings
@given(event_streams())
def test_stream_round_trip(events: list[StreamEvent]) -> None:
    parser = wire.StreamParser()
    parsed: list[StreamEvent] = []
    for event in parse_sse(_render(events)):
        payload = decode_json(event)
        STREAM_EVENT.validate_python(payload)
        parsed += parser.feed(payload)
    got, want = summarize(parsed), summarize(events)
    assert [c["id"] for c in got["calls"]] == [c["id"] for c in want["calls"]]
    assert got == want


def _client(data: bytes) -> tuple[httpx.AsyncClient, anthropic.AsyncAnthropic]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return http, anthropic.AsyncAnthropic(api_key="k", base_url="http://gateway.test", http_client=http)


async def test_the_anthropic_sdk_accumulates_our_stream() -> None:
    http, client = _client(_render(_upstream_events()))
    async with http:
        async with client.messages.stream(
            model="auto", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        ) as stream:
            final = await stream.get_final_message()
    assert final.model == "openai/gpt-5-mini"
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use"]
    text_block, tool_block = final.content[1], final.content[2]
    assert text_block.type == "text" and text_block.text == "Running it."
    assert tool_block.type == "tool_use" and tool_block.input == {"command": "ls"}
    assert final.stop_reason == "tool_use"
    assert final.usage.output_tokens == 40 and final.usage.cache_read_input_tokens == 2000


async def test_the_anthropic_sdk_raises_on_our_stream_error() -> None:
    renderer = wire.StreamRenderer("msg_e", "m", 0, True)
    data = renderer.render(TextDelta("a")) + renderer.render(StreamError("upstream died", kind="api_error"))
    http, client = _client(data)
    async with http:
        with pytest.raises(anthropic.APIStatusError, match="upstream died"):
            async with client.messages.stream(
                model="auto", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
            ) as stream:
                await stream.get_final_message()


def test_images_in_tool_results_move_after_the_results_for_chat_upstreams() -> None:
    screenshot = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}
    body = {
        "model": "auto",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "look at the screen"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t1", "name": "Screenshot", "input": {}}],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": [{"type": "text", "text": "ok"}, screenshot],
                    }
                ],
            },
        ],
    }
    msgs = chat.render_request(wire.parse_request(body, RequestContext()), "m")["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "user"]
    assert msgs[2] == {"role": "tool", "tool_call_id": "t1", "content": "ok"}
    assert msgs[3]["content"][1] == {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBOR"}}


def _assert_paired(messages: list[dict[str, Any]]) -> None:
    for i, m in enumerate(messages):
        if m.get("tool_calls"):
            ids = [c["id"] for c in m["tool_calls"]]
            assert [r.get("tool_call_id") for r in messages[i + 1 : i + 1 + len(ids)]] == ids


@wire_settings
@given(requests(tool_errors=True, extras=False))
def test_any_messages_request_stays_paired_through_chat(req: ChatRequest) -> None:
    messages_body = orjson.loads(orjson.dumps(wire.render_request(req, "claude")))
    chat_body = chat.render_request(wire.parse_request(messages_body, CONTEXT), "gpt")
    _assert_paired(chat_body["messages"])
    calls = [c["id"] for m in chat_body["messages"] for c in m.get("tool_calls", [])]
    assert calls == [c.id for m in req.messages for c in m.tool_calls]


def test_an_anthropic_upstream_streams_to_a_chat_client() -> None:
    renderer = chat.StreamRenderer("chatcmpl-x", "anthropic/claude-sonnet-4.5", 1, include_usage=True)
    data = b"".join(renderer.render(e) for e in _upstream_events()) + renderer.finish()
    chunks = [decode_json(e) for e in parse_sse(data) if not e.done]
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c["choices"] and "tool_calls" in c["choices"][0]["delta"]
    ]
    assert calls[0]["index"] == 0 and calls[0]["id"] == "toolu_9"  # block index 2 -> tool index 0
    assert chunks[-1]["usage"]["prompt_tokens"] == 2112
    assert chunks[-1]["usage"]["prompt_tokens_details"] == {"cached_tokens": 2000}
