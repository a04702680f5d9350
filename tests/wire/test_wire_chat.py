"""Chat completions ⇄ canonical: client parsing, upstream rendering, responses and streams."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import openai
import orjson
import pytest
from hypothesis import given
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from wire_strategies import CONTEXT, event_streams, requests, responses, summarize, wire_settings

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
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageReport,
)
from benchroute.wire.errors import WireError
from benchroute.wire.sse import SSEDecoder, decode_json, parse_sse

KILO_BODY: dict[str, Any] = {
    "model": "auto",
    "temperature": 0,
    "messages": [
        {"role": "system", "content": "You are Kilo Code, a highly skilled software engineer."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "<task>fix the failing test</task>"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_abc",
                    "type": "function",
                    "function": {"name": "read_file", "arguments": '{"path":"src/app.py"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_abc", "content": "def main(): ..."},
    ],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "read_file",
                "description": "Read a file",
                "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
            },
        }
    ],
    "tool_choice": {"type": "function", "function": {"name": "read_file"}},
    "parallel_tool_calls": False,
    "stream": True,
    "stream_options": {"include_usage": True},
    "max_completion_tokens": 4096,
    "max_tokens": 100,
    "stop": "</done>",
    "reasoning_effort": "high",
    "response_format": {"type": "text"},
    "user": "dev-1",
    "some_future_field": {"anything": True},
}


def test_parse_request_reads_a_kilo_code_body() -> None:
    ctx = RequestContext(mode="code")
    req = chat.parse_request(KILO_BODY, ctx)
    assert req.model == "auto"
    assert req.context is ctx
    system, user, assistant, tool = req.messages
    assert system.role == "system" and system.text.startswith("You are Kilo Code")
    assert user.content == [
        TextPart("<task>fix the failing test</task>"),
        ImagePart(url="data:image/png;base64,iVBORw0KGgo=", media_type="image/png"),
    ]
    assert assistant.content == []
    assert assistant.tool_calls == [ToolCall("call_abc", "read_file", '{"path":"src/app.py"}')]
    assert tool.role == "tool" and tool.tool_call_id == "call_abc" and tool.text == "def main(): ..."
    assert [t.name for t in req.tools] == ["read_file"]
    assert req.tools[0].parameters["properties"] == {"path": {"type": "string"}}
    assert req.tool_choice == "read_file"
    assert req.parallel_tool_calls is False
    assert req.stream and req.include_usage
    assert req.max_tokens == 4096  # max_completion_tokens wins over the legacy field
    assert req.temperature == 0.0
    assert req.stop == ["</done>"]
    assert req.reasoning_effort == "high"
    assert req.response_format == {"type": "text"}
    assert req.user == "dev-1"


def test_openrouter_usage_include_sets_include_usage() -> None:
    body = {
        "model": "auto",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "usage": {"include": True},
    }
    assert chat.parse_request(body, RequestContext()).include_usage
    plain = {"model": "auto", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    assert not chat.parse_request(plain, RequestContext()).include_usage


def test_developer_role_and_explicit_nulls() -> None:
    body = {
        "model": "auto",
        "messages": [{"role": "developer", "content": "be brief"}, {"role": "user", "content": "hi"}],
        "tools": None,
        "temperature": None,
        "stop": None,
        "max_tokens": 10,
    }
    req = chat.parse_request(body, RequestContext())
    assert req.model == "auto"
    with pytest.raises(WireError, match="model is required"):  # a null model is a missing model
        chat.parse_request({**body, "model": None}, RequestContext())
    assert req.messages[0].role == "system"
    assert req.tools == [] and req.temperature is None and req.stop == [] and req.max_tokens == 10


@pytest.mark.parametrize(
    ("body", "message", "param"),
    [
        ({}, "messages is required", "messages"),
        ({"messages": []}, "messages must not be empty", "messages"),
        ({"messages": "hi"}, "messages must be a list", "messages"),
        (
            {
                "messages": [
                    {"role": "user", "content": "a"},
                    {"role": "user", "content": "b"},
                    {"role": "user", "content": 3},
                ]
            },
            "messages[2].content must be a string or a list of parts",
            "messages[2].content",
        ),
        (
            {"messages": [{"role": "robot", "content": "x"}]},
            "messages[0].role must be one of",
            "messages[0].role",
        ),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id must be a string", None),
        (
            {"messages": [{"role": "user", "content": "x"}], "max_tokens": 0},
            "max_tokens must be an integer of at least 1",
            "max_tokens",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "max_completion_tokens": -5.0},
            "max_completion_tokens must be an integer of at least 1",
            "max_completion_tokens",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "max_tokens": 2.5},
            "max_tokens must be an integer",
            None,
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]},
            "'input_audio' is not supported",
            None,
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "temperature": "hot"},
            "temperature must be a number",
            None,
        ),
        ({"messages": [{"role": "user", "content": "x"}], "stream": "yes"}, "stream must be a boolean", None),
        (
            {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "web_search"}]},
            "tools[0].type must be",
            None,
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "tool_choice": "always"},
            "tool_choice must be",
            None,
        ),
        (
            {
                "messages": [
                    {"role": "assistant", "tool_calls": [{"id": "c", "function": {"arguments": "{}"}}]}
                ]
            },
            "messages[0].tool_calls[0].function.name must be a string",
            None,
        ),
    ],
)
def test_malformed_bodies_say_exactly_what_is_wrong(
    body: dict[str, Any], message: str, param: str | None
) -> None:
    with pytest.raises(WireError) as info:
        chat.parse_request(body, RequestContext())
    assert message in info.value.message
    assert info.value.status == 400
    if param is not None:
        assert info.value.param == param


def test_render_request_asks_upstream_for_usage_and_keeps_tool_pairs() -> None:
    req = chat.parse_request(KILO_BODY, RequestContext())
    body = chat.render_request(req, "gpt-5-mini")
    assert body["model"] == "gpt-5-mini"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 4096
    assert (
        chat.render_request(req, "o3", max_tokens_key="max_completion_tokens")["max_completion_tokens"]
        == 4096
    )
    assert body["messages"][2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_abc",
                "type": "function",
                "function": {"name": "read_file", "arguments": '{"path":"src/app.py"}'},
            }
        ],
    }
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "call_abc", "content": "def main(): ..."}
    assert body["tool_choice"] == {"type": "function", "function": {"name": "read_file"}}
    assert "stream_options" not in chat.render_request(ChatRequest("auto", req.messages), "m")


def test_render_request_streams_usage_even_when_client_did_not_ask() -> None:
    req = ChatRequest("auto", [Message("user", [TextPart("hi")])], stream=True, include_usage=False)
    assert chat.render_request(req, "m")["stream_options"] == {"include_usage": True}


def _completion(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_763_000_000,
        "model": "gpt-5-mini-2025-08-07",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "ls", "arguments": '{"dir":"."}'},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": 1200,
            "completion_tokens": 80,
            "total_tokens": 1280,
            "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 64, "audio_tokens": 0},
        },
    }
    body.update(overrides)
    ChatCompletion.model_validate(body)  # the fixture itself is a real OpenAI shape
    return body


def test_parse_response_reads_usage_details_and_tool_calls() -> None:
    resp = chat.parse_response(_completion(), "openai/gpt-5-mini")
    assert resp.model == "openai/gpt-5-mini" and resp.id == "chatcmpl-1" and resp.created == 1_763_000_000
    assert resp.finish_reason == "tool_calls"
    assert resp.message.tool_calls == [ToolCall("call_1", "ls", '{"dir":"."}')]
    assert resp.usage == Usage(
        prompt_tokens=1200, completion_tokens=80, cached_tokens=1024, reasoning_tokens=64
    )


@pytest.mark.parametrize(
    "body",
    [
        {"object": "list", "data": []},
        {"choices": []},
        {"choices": [{"index": 0, "text": "legacy completion"}]},
        {"error": {"message": "model overloaded", "type": "server_error"}},
        {"choices": [{"message": {"content": 5}}]},
    ],
)
def test_parse_response_rejects_non_completions_as_bad_gateway(body: dict[str, Any]) -> None:
    with pytest.raises(WireError) as info:
        chat.parse_response(body, "m")
    assert info.value.status == 502


def test_render_response_is_a_valid_openai_completion() -> None:
    resp = ChatResponse(
        id="chatcmpl-9",
        model="anthropic/claude-sonnet-4.5",
        message=Message("assistant", [TextPart("done")]),
        usage=Usage(100, 20, cached_tokens=50, reasoning_tokens=5),
        created=1_763_000_000,
    )
    body = chat.render_response(resp)
    parsed = ChatCompletion.model_validate(body)
    assert parsed.model == "anthropic/claude-sonnet-4.5"
    assert parsed.choices[0].message.content == "done"
    assert parsed.usage is not None and parsed.usage.prompt_tokens_details is not None
    assert parsed.usage.prompt_tokens_details.cached_tokens == 50
    assert parsed.usage.total_tokens == 120
    error_resp = ChatResponse("x", "m", Message("assistant"), finish_reason="error")
    assert ChatCompletion.model_validate(chat.render_response(error_resp)).choices[0].finish_reason == "stop"


# ---- streams ---------------------------------------------------------------------------------

UPSTREAM_CHUNKS: list[dict[str, Any]] = [
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": "", "reasoning_content": "think"},
                "finish_reason": None,
            }
        ],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"reasoning": " more"}, "finish_reason": None}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": "Let me look."}, "finish_reason": None}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "ls", "arguments": ""},
                        }
                    ]
                },
                "finish_reason": None,
            }
        ],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"dir":'}}]},
                "finish_reason": None,
            }
        ],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"."}'}}]},
                "finish_reason": None,
            }
        ],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "total_tokens": 15,
            "prompt_tokens_details": {"cached_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 2},
        },
    },
]


def test_stream_parser_reads_an_openai_stream() -> None:
    parser = chat.StreamParser()
    events = [e for chunk in UPSTREAM_CHUNKS for e in parser.feed(chunk)]
    assert events == [
        ReasoningDelta("think"),
        ReasoningDelta(" more"),
        TextDelta("Let me look."),
        ToolCallDelta(0, id="call_1", name="ls"),
        ToolCallDelta(0, arguments='{"dir":'),
        ToolCallDelta(0, arguments='"."}'),
        Finish("tool_calls"),
        UsageReport(Usage(10, 5, cached_tokens=4, reasoning_tokens=2)),
    ]


def test_stream_parser_reports_errors_in_band() -> None:
    parser = chat.StreamParser()
    events = parser.feed({"error": {"message": "upstream overloaded", "type": "overloaded_error"}})
    assert events == [StreamError("upstream overloaded", kind="overloaded_error")]


def _chunks(data: bytes) -> list[dict[str, Any]]:
    events = parse_sse(data)
    assert events[-1].done, "every stream ends with [DONE]"
    return [decode_json(e) for e in events[:-1]]


def test_stream_renderer_follows_strict_client_rules() -> None:
    renderer = chat.StreamRenderer("chatcmpl-r", "openai/gpt-5-mini", 1_763_000_000, include_usage=True)
    out = b"".join(renderer.render(e) for e in chat_events()) + renderer.finish()
    assert b'"role":null' not in out
    chunks = _chunks(out)
    for chunk in chunks:
        parsed = ChatCompletionChunk.model_validate(chunk)
        assert parsed.model == "openai/gpt-5-mini" and parsed.id == "chatcmpl-r"
        assert "choices" in chunk
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in c["choices"][0]["delta"] for c in chunks[1:] if c["choices"])
    header = next(c for c in chunks if c["choices"] and "tool_calls" in c["choices"][0]["delta"])
    call = header["choices"][0]["delta"]["tool_calls"][0]
    assert call == {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "ls", "arguments": ""},
    }
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["prompt_tokens_details"] == {"cached_tokens": 4}
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"


def chat_events() -> list[StreamEvent]:
    parser = chat.StreamParser()
    return [e for chunk in UPSTREAM_CHUNKS for e in parser.feed(chunk)]


def test_stream_renderer_ends_an_error_with_an_error_event_and_done() -> None:
    renderer = chat.StreamRenderer("r", "m", 1, include_usage=False)
    out = renderer.render(TextDelta("partial")) + renderer.render(StreamError("boom", kind="upstream_error"))
    assert out.endswith(b"data: [DONE]\n\n")
    events = parse_sse(out)
    assert decode_json(events[1]) == {
        "error": {"message": "boom", "type": "server_error", "param": None, "code": "upstream_error"}
    }
    assert renderer.finish() == b"" and renderer.render(TextDelta("late")) == b""


def test_stream_renderer_first_chunk_has_role_even_for_an_empty_answer() -> None:
    renderer = chat.StreamRenderer("r", "m", 1, include_usage=False)
    chunks = _chunks(renderer.finish())
    assert len(chunks) == 1
    assert chunks[0]["choices"][0] == {"index": 0, "delta": {"role": "assistant"}, "finish_reason": "stop"}
    assert renderer.keepalive() == b": keep-alive\n\n"


def test_stream_renderer_reindexes_tool_calls_and_invents_missing_ids() -> None:
    renderer = chat.StreamRenderer("r", "m", 1, include_usage=False)
    out = renderer.render(ToolCallDelta(3, name="a", arguments="{}")) + renderer.render(
        ToolCallDelta(7, id="x", name="b")
    )
    calls = [c["choices"][0]["delta"]["tool_calls"][0] for c in _chunks(out + renderer.finish())[:-1]]
    assert calls[0] == {
        "index": 0,
        "id": "call_r_0",
        "type": "function",
        "function": {"name": "a", "arguments": ""},
    }
    assert calls[1] == {"index": 0, "function": {"arguments": "{}"}}
    assert calls[2]["index"] == 1 and calls[2]["id"] == "x"


def test_sse_decoder_handles_arbitrary_splits() -> None:
    renderer = chat.StreamRenderer("r", "m", 1, include_usage=True)
    data = b"".join(renderer.render(e) for e in chat_events()) + renderer.keepalive() + renderer.finish()
    decoder = SSEDecoder()
    events = [e for i in range(0, len(data), 7) for e in decoder.feed(data[i : i + 7])] + decoder.close()
    assert events == parse_sse(data)


# ---- round trips -----------------------------------------------------------------------------


@wire_settings
@given(requests())
def test_request_round_trip(req: ChatRequest) -> None:
    body = orjson.loads(orjson.dumps(chat.render_request(req, "auto")))
    assert chat.parse_request(body, CONTEXT) == req


@wire_settings
@given(responses())
def test_response_round_trip(resp: ChatResponse) -> None:
    body = orjson.loads(orjson.dumps(chat.render_response(resp)))
    ChatCompletion.model_validate(body)
    assert chat.parse_response(body, resp.model) == resp


@wire_settings
@given(event_streams())
def test_stream_round_trip(events: list[StreamEvent]) -> None:
    renderer = chat.StreamRenderer("chatcmpl-x", "routed/model", 1, include_usage=True)
    data = b"".join(renderer.render(e) for e in events) + renderer.finish()
    parser = chat.StreamParser()
    parsed: list[StreamEvent] = []
    for chunk in _chunks(data):
        ChatCompletionChunk.model_validate(chunk)
        parsed += parser.feed(chunk)
    assert summarize(parsed) == summarize(events)


async def test_the_openai_sdk_reads_our_stream() -> None:
    renderer = chat.StreamRenderer("chatcmpl-s", "routed/model", 1, include_usage=True)
    data = b"".join(renderer.render(e) for e in chat_events()) + renderer.keepalive() + renderer.finish()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = openai.AsyncOpenAI(api_key="k", base_url="http://gateway.test/v1", http_client=http)
        stream = await client.chat.completions.create(
            model="auto", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        chunks = [c async for c in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    args = "".join(
        (t.function.arguments or "") if t.function else ""
        for c in chunks
        if c.choices
        for t in c.choices[0].delta.tool_calls or []
    )
    assert text == "Let me look." and args == '{"dir":"."}'
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5


async def test_the_openai_sdk_surfaces_our_stream_error() -> None:
    renderer = chat.StreamRenderer("r", "m", 1, include_usage=False)
    data = renderer.render(TextDelta("a")) + renderer.render(StreamError("upstream died"))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = openai.AsyncOpenAI(api_key="k", base_url="http://gateway.test/v1", http_client=http)
        stream = await client.chat.completions.create(
            model="auto", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        with pytest.raises(openai.APIError, match="upstream died"):
            async for _ in stream:
                pass
