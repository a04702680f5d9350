"""OpenAI Responses ⇄ canonical, with the bodies the Codex CLI sends and the events it expects."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx2 as httpx
import openai
import orjson
import pytest
from hypothesis import given
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter
from wire_strategies import CONTEXT, event_streams, requests, responses, summarize, wire_settings

from benchroute.wire import chat
from benchroute.wire import responses as wire
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
from benchroute.wire.sse import decode_json, parse_sse

STREAM_EVENT = TypeAdapter[Any](ResponseStreamEvent)

CODEX_BODY: dict[str, Any] = {
    "model": "auto",
    "instructions": "You are Codex, based on GPT-5.",
    "input": [
        {
            "type": "message",
            "role": "developer",
            "content": [{"type": "input_text", "text": "<permissions>workspace-write</permissions>"}],
        },
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "run the tests"},
                {"type": "input_image", "image_url": "data:image/jpeg;base64,/9j/4AAQ", "detail": "auto"},
            ],
        },
        {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAAA..."},
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Running pytest.", "annotations": []}],
        },
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "shell",
            "arguments": '{"command":["pytest"]}',
        },
        {"type": "function_call", "call_id": "call_2", "name": "shell", "arguments": '{"command":["ls"]}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "3 passed"},
        {"type": "function_call_output", "call_id": "call_2", "output": "src tests"},
        {"type": "custom_tool_call", "call_id": "call_3", "name": "apply_patch", "input": "*** Begin Patch"},
        {"type": "custom_tool_call_output", "call_id": "call_3", "output": "Done!"},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "thanks"}]},
    ],
    "tools": [
        {
            "type": "function",
            "name": "shell",
            "description": "Runs a shell command",
            "strict": False,
            "parameters": {"type": "object", "properties": {"command": {"type": "array"}}},
        },
        {"type": "custom", "name": "apply_patch", "description": "patch", "format": {"type": "grammar"}},
        {"type": "web_search"},
        {"type": "local_shell"},
    ],
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "reasoning": {"effort": "medium", "summary": "auto"},
    "store": False,
    "stream": True,
    "include": ["reasoning.encrypted_content"],
    "prompt_cache_key": "0199-session",
    "text": {"verbosity": "low"},
    "max_output_tokens": 2048,
}


def test_parse_request_reads_a_codex_body() -> None:
    dropped: list[str] = []
    req = wire.parse_request(CODEX_BODY, RequestContext(api_kind="responses"), dropped_tools=dropped)
    assert dropped == ["apply_patch", "web_search", "local_shell"]
    assert [t.name for t in req.tools] == ["shell"]
    roles = [m.role for m in req.messages]
    assert roles == ["system", "system", "user", "assistant", "tool", "tool", "assistant", "tool", "user"]
    assert req.messages[0].text == "You are Codex, based on GPT-5."
    assert req.messages[2].content == [
        TextPart("run the tests"),
        ImagePart("data:image/jpeg;base64,/9j/4AAQ", media_type="image/jpeg"),
    ]
    assistant = req.messages[3]
    assert assistant.content == [TextPart("Running pytest.")]  # text and calls are one turn
    assert [c.id for c in assistant.tool_calls] == ["call_1", "call_2"]
    assert [m.tool_call_id for m in req.messages[4:6]] == ["call_1", "call_2"]
    assert req.messages[6].tool_calls == [ToolCall("call_3", "apply_patch", '{"input":"*** Begin Patch"}')]
    assert req.tool_choice == "auto" and req.parallel_tool_calls is True
    assert req.reasoning_effort == "medium" and req.max_tokens == 2048
    assert req.stream and req.include_usage and req.response_format is None


def test_parse_request_accepts_a_plain_string_input() -> None:
    req = wire.parse_request({"model": "auto", "input": "hello"}, RequestContext())
    assert req.messages == [Message("user", [TextPart("hello")])]


def test_json_schema_text_format_becomes_a_response_format() -> None:
    schema = {"type": "object", "properties": {}}
    body = {
        "model": "auto",
        "input": "x",
        "text": {"format": {"type": "json_schema", "name": "out", "schema": schema, "strict": True}},
    }
    req = wire.parse_request(body, RequestContext())
    assert req.response_format == {
        "type": "json_schema",
        "json_schema": {"name": "out", "schema": schema, "strict": True},
    }
    assert wire.render_request(req, "m")["text"]["format"] == body["text"]["format"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "auto"}, "input is required"),
        ({"input": []}, "input must contain at least one message"),
        ({"input": 5}, "input must be a list"),
        ({"input": "x", "max_output_tokens": 0}, "max_output_tokens must be an integer of at least 1"),
        ({"input": [{"type": "message", "role": "tool", "content": "x"}]}, "input[0].role must be one of"),
        (
            {"input": [{"type": "message", "role": "user", "content": 1}]},
            "input[0].content must be a string or a list",
        ),
        ({"input": [{"role": "user", "content": [{"type": "input_file"}]}]}, "'input_file' is not supported"),
        ({"input": [{"type": "function_call_output", "output": "x"}]}, "input[0].call_id must be a string"),
        (
            {"input": "x", "tools": [{"type": "web_search"}], "tool_choice": {"type": "web_search"}},
            "tool_choice names the hosted tool 'web_search'",
        ),
        (
            {
                "input": "x",
                "tools": [{"type": "custom", "name": "apply_patch"}],
                "tool_choice": {"type": "custom", "name": "apply_patch"},
            },
            "hosted tool 'apply_patch'",
        ),
    ],
)
def test_malformed_bodies_say_exactly_what_is_wrong(body: dict[str, Any], message: str) -> None:
    with pytest.raises(WireError) as info:
        wire.parse_request(body, RequestContext())
    assert message in info.value.message and info.value.status == 400


def test_codex_request_to_chat_keeps_tool_calls_and_results_paired() -> None:
    body = chat.render_request(wire.parse_request(CODEX_BODY, RequestContext()), "m")
    msgs = body["messages"]
    for i, m in enumerate(msgs):
        if m.get("tool_calls"):
            ids = [c["id"] for c in m["tool_calls"]]
            assert [r["tool_call_id"] for r in msgs[i + 1 : i + 1 + len(ids)]] == ids


def test_render_request_turns_off_store_and_strict_schemas() -> None:
    req = wire.parse_request(CODEX_BODY, RequestContext())
    body = wire.render_request(req, "gpt-5-codex")
    assert body["store"] is False and body["model"] == "gpt-5-codex"
    assert (
        body["instructions"] == "You are Codex, based on GPT-5.\n\n<permissions>workspace-write</permissions>"
    )
    assert body["tools"][0]["strict"] is False
    assert body["input"][2] == {
        "type": "function_call",
        "call_id": "call_1",
        "name": "shell",
        "arguments": '{"command":["pytest"]}',
    }
    assert body["reasoning"] == {"effort": "medium"} and body["max_output_tokens"] == 2048


RESPONSE: dict[str, Any] = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1_763_000_000,
    "status": "completed",
    "model": "gpt-5-codex",
    "output": [
        {"id": "rs_1", "type": "reasoning", "summary": []},
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Checking.", "annotations": []}],
        },
        {
            "id": "fc_1",
            "type": "function_call",
            "call_id": "call_9",
            "name": "shell",
            "arguments": '{"command":["ls"]}',
            "status": "completed",
        },
    ],
    "error": None,
    "incomplete_details": None,
    "instructions": None,
    "metadata": {},
    "parallel_tool_calls": True,
    "temperature": None,
    "top_p": None,
    "tool_choice": "auto",
    "tools": [],
    "usage": {
        "input_tokens": 5000,
        "input_tokens_details": {"cached_tokens": 4096, "cache_write_tokens": 0},
        "output_tokens": 300,
        "output_tokens_details": {"reasoning_tokens": 256},
        "total_tokens": 5300,
    },
}


def test_parse_response_reads_output_items_and_usage() -> None:
    Response.model_validate(RESPONSE)
    resp = wire.parse_response(RESPONSE, "openai/gpt-5-codex")
    assert resp.message.content == [TextPart("Checking.")]
    assert resp.message.tool_calls == [ToolCall("call_9", "shell", '{"command":["ls"]}')]
    assert resp.finish_reason == "tool_calls" and resp.created == 1_763_000_000
    assert resp.usage == Usage(5000, 300, cached_tokens=4096, reasoning_tokens=256)
    cut = {
        **RESPONSE,
        "status": "incomplete",
        "incomplete_details": {"reason": "max_output_tokens"},
        "output": [],
    }
    assert wire.parse_response(cut, "m").finish_reason == "length"


@pytest.mark.parametrize(
    "body",
    [
        {
            "status": "failed",
            "object": "response",
            "output": [],
            "error": {"code": "server_error", "message": "x"},
        },
        {"choices": []},
        {"object": "response", "output": "x"},
        {"object": "response", "output": [{"type": "function_call", "name": "x"}]},
    ],
)
def test_parse_response_rejects_non_responses_as_bad_gateway(body: dict[str, Any]) -> None:
    with pytest.raises(WireError) as info:
        wire.parse_response(body, "m")
    assert info.value.status == 502


def test_render_response_is_a_valid_response_object() -> None:
    resp = ChatResponse(
        "resp_x",
        "anthropic/claude-sonnet-4.5",
        Message("assistant", [TextPart("ok")], tool_calls=[ToolCall("call_1", "shell", "{}")]),
        finish_reason="tool_calls",
        usage=Usage(100, 20, cached_tokens=60, reasoning_tokens=10),
        created=1_763_000_000,
    )
    parsed = Response.model_validate(wire.render_response(resp))
    assert parsed.model == "anthropic/claude-sonnet-4.5" and parsed.output_text == "ok"
    assert parsed.usage is not None and parsed.usage.input_tokens_details.cached_tokens == 60
    assert parsed.usage.total_tokens == 120
    length = Response.model_validate(wire.render_response(dataclasses.replace(resp, finish_reason="length")))
    assert length.status == "incomplete" and length.incomplete_details is not None


# ---- streams ---------------------------------------------------------------------------------


def _events() -> list[StreamEvent]:
    return [
        ReasoningDelta("think"),
        TextDelta("Checking"),
        TextDelta("."),
        ToolCallDelta(0, id="call_9", name="shell"),
        ToolCallDelta(0, arguments='{"command":'),
        ToolCallDelta(0, arguments='["ls"]}'),
        Finish("tool_calls"),
        UsageReport(Usage(5000, 300, cached_tokens=4096, reasoning_tokens=256)),
    ]


def _render(events: list[StreamEvent]) -> bytes:
    renderer = wire.StreamRenderer("resp_r", "routed/model", 1_763_000_000, True)
    return b"".join(renderer.render(e) for e in events) + renderer.finish()


def test_stream_renderer_emits_the_codex_event_sequence() -> None:
    sse = parse_sse(_render(_events()))
    payloads = [decode_json(e) for e in sse]
    assert [p["type"] for p in payloads] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",  # reasoning
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "response.output_item.done",
        "response.output_item.added",  # message
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",  # function call
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    for event, payload in zip(sse, payloads, strict=True):
        assert event.event == payload["type"]
        STREAM_EVENT.validate_python(payload)
    assert [p["sequence_number"] for p in payloads] == list(range(len(payloads)))
    done = payloads[-1]["response"]
    assert done["model"] == "routed/model" and done["status"] == "completed"
    assert done["usage"]["input_tokens_details"]["cached_tokens"] == 4096
    assert done["usage"]["output_tokens_details"]["reasoning_tokens"] == 256
    assert done["output"][2]["arguments"] == '{"command":["ls"]}' and done["output"][2]["call_id"] == "call_9"


def test_stream_renderer_reports_failure_as_response_failed() -> None:
    renderer = wire.StreamRenderer("resp_f", "m", 1, True)
    data = renderer.render(TextDelta("a")) + renderer.render(StreamError("upstream died"))
    assert renderer.finish() == b"" and renderer.render(TextDelta("b")) == b""
    last = decode_json(parse_sse(data)[-1])
    STREAM_EVENT.validate_python(last)
    assert last["type"] == "response.failed" and last["response"]["error"]["message"] == "upstream died"


def test_stream_renderer_cut_short_is_response_incomplete() -> None:
    payloads = [decode_json(e) for e in parse_sse(_render([TextDelta("a"), Finish("length")]))]
    assert payloads[-1]["type"] == "response.incomplete"
    assert payloads[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}


def test_stream_parser_reads_our_own_stream_and_late_arguments() -> None:
    parser = wire.StreamParser()
    events = [e for ev in parse_sse(_render(_events())) for e in parser.feed(decode_json(ev))]
    assert summarize(events) == summarize(_events())
    late = wire.StreamParser()
    item = {"type": "function_call", "call_id": "c", "name": "n", "arguments": ""}
    assert late.feed({"type": "response.output_item.added", "output_index": 1, "item": item}) == [
        ToolCallDelta(1, id="c", name="n")
    ]
    done = {**item, "arguments": "{}"}
    assert late.feed({"type": "response.output_item.done", "output_index": 1, "item": done}) == [
        ToolCallDelta(1, arguments="{}")
    ]
    assert late.feed({"type": "error", "code": "rate_limit_exceeded", "message": "slow down"}) == [
        StreamError("slow down", kind="rate_limit_exceeded")
    ]


# ---- round trips -----------------------------------------------------------------------------


@wire_settings
@given(requests())
def test_request_round_trip(req: ChatRequest) -> None:
    req = dataclasses.replace(req, stop=[])  # Responses has no stop sequences
    body = orjson.loads(orjson.dumps(wire.render_request(req, "auto")))
    assert wire.parse_request(body, CONTEXT) == req


@wire_settings
@given(responses())
def test_response_round_trip(resp: ChatResponse) -> None:
    body = orjson.loads(orjson.dumps(wire.render_response(resp)))
    Response.model_validate(body)
    assert wire.parse_response(body, resp.model) == resp


@wire_settings
@given(event_streams())
def test_stream_round_trip(events: list[StreamEvent]) -> None:
    parser = wire.StreamParser()
    parsed: list[StreamEvent] = []
    for event in parse_sse(_render(events)):
        payload = decode_json(event)
        STREAM_EVENT.validate_python(payload)
        parsed += parser.feed(payload)
    assert summarize(parsed) == summarize(events)


async def test_the_openai_sdk_accumulates_our_stream() -> None:
    data = _render(_events())

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=data, headers={"content-type": "text/event-stream"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = openai.AsyncOpenAI(api_key="k", base_url="http://gateway.test/v1", http_client=http)
        async with client.responses.stream(model="auto", input="hi") as stream:
            final = await stream.get_final_response()
    assert final.id == "resp_r" and final.output_text == "Checking."
    call = final.output[2]
    assert call.type == "function_call" and call.arguments == '{"command":["ls"]}'
    assert final.usage is not None and final.usage.output_tokens == 300


def test_local_shell_history_stays_paired() -> None:
    action = {"type": "exec", "command": ["ls"], "env": {}}
    body = {
        "model": "auto",
        "input": [
            {"role": "user", "content": "list"},
            {
                "type": "local_shell_call",
                "id": "ls_1",
                "call_id": "call_ls",
                "action": action,
                "status": "completed",
            },
            {"type": "function_call_output", "call_id": "call_ls", "output": "a b"},
            {"type": "web_search_call", "id": "ws_1", "status": "completed"},
        ],
    }
    req = wire.parse_request(body, RequestContext())
    assert [m.role for m in req.messages] == ["user", "assistant", "tool"]
    assert req.messages[1].tool_calls[0].name == "local_shell"
    assert orjson.loads(req.messages[1].tool_calls[0].arguments) == action
    assert req.messages[2].tool_call_id == "call_ls"
