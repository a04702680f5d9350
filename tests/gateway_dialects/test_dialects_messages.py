"""POST /v1/messages on the real gateway: Anthropic shapes in and out, any upstream kind behind."""

from __future__ import annotations

from pathlib import Path

import orjson
from dialects_harness import WEATHER_TOOL_SCHEMA, serving, sse_events

from benchroute.gateway.errors import GatewayError
from support.upstream import Script

TOOLS = [{"name": "get_weather", "description": "Weather by city", "input_schema": WEATHER_TOOL_SCHEMA}]


def test_error_body_has_anthropic_shape() -> None:
    assert GatewayError(401, "bad key").body("messages") == {
        "type": "error",
        "error": {"type": "authentication_error", "message": "bad key"},
    }
    assert GatewayError(413, "big").body("messages")["error"]["type"] == "request_too_large"
    assert GatewayError(503, "busy").body("messages")["error"]["type"] == "overloaded_error"
    assert GatewayError(418, "odd").body("messages")["error"]["type"] == "invalid_request_error"


async def test_messages_plain_answer_with_x_api_key_and_system_parts(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        gw.upstream.add(Script(text="Hello from upstream", prompt_tokens=11, completion_tokens=4))
        body = {
            "model": "oai/small",
            "max_tokens": 100,
            "system": [{"type": "text", "text": "Be brief."}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
            "metadata": {"user_id": "u1"},
            "some_future_field": {"x": 1},
        }
        status, headers, raw = await gw.post(
            "/v1/messages",
            body,
            {"authorization": "", "x-api-key": gw.key, "anthropic-version": "2023-06-01"},
        )
        assert status == 200, raw
        doc = orjson.loads(raw)
        assert doc["type"] == "message" and doc["role"] == "assistant"
        assert doc["content"] == [{"type": "text", "text": "Hello from upstream"}]
        assert doc["stop_reason"] == "end_turn"
        assert doc["usage"]["input_tokens"] == 11 and doc["usage"]["output_tokens"] == 4
        assert headers["x-benchroute-model"] == "oai/small"
        upstream_body = gw.upstream.requests[-1].body
        assert upstream_body["messages"][0] == {"role": "system", "content": "Be brief."}
        (record,) = await gw.usage()
        assert record.api_kind == "messages" and record.routed_model == "oai/small"
        assert record.prompt_tokens == 11 and record.completion_tokens == 4


async def test_messages_stream_tool_use_served_by_openai_upstream(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        gw.upstream.add(Script(text="", tool_calls=[("get_weather", '{"city": "Paris"}')]))
        body = {
            "model": "oai/small",
            "max_tokens": 100,
            "stream": True,
            "tools": TOOLS,
            "messages": [{"role": "user", "content": "Weather in Paris?"}],
        }
        status, headers, raw = await gw.post("/v1/messages", body)
        assert status == 200, raw
        assert headers["content-type"].startswith("text/event-stream")
        events = sse_events(raw)
        names = [n for n, _ in events]
        assert names[0] == "message_start" and names[-1] == "message_stop"
        assert events[0][1]["message"]["model"] == "oai/small"
        starts = [d for n, d in events if n == "content_block_start"]
        tool = next(s["content_block"] for s in starts if s["content_block"]["type"] == "tool_use")
        assert tool["name"] == "get_weather"
        args = "".join(
            d["delta"]["partial_json"]
            for n, d in events
            if n == "content_block_delta" and d["delta"]["type"] == "input_json_delta"
        )
        assert orjson.loads(args) == {"city": "Paris"}
        delta = next(d for n, d in events if n == "message_delta")
        assert delta["delta"]["stop_reason"] == "tool_use" and delta["usage"]["output_tokens"] > 0
        sent = gw.upstream.requests[-1]
        assert sent.path == "/v1/chat/completions"
        assert sent.body["tools"][0]["function"]["parameters"] == WEATHER_TOOL_SCHEMA

        # the tool result goes back as a tool message upstream
        gw.upstream.add(Script(text="It is sunny in Paris."))
        body["messages"] = [
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": tool["id"], "name": "get_weather", "input": {"city": "Paris"}}
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool["id"], "content": "sunny, 21C"}],
            },
        ]
        status, _, raw = await gw.post("/v1/messages", body)
        assert status == 200
        text = "".join(
            d["delta"]["text"]
            for n, d in sse_events(raw)
            if n == "content_block_delta" and d["delta"]["type"] == "text_delta"
        )
        assert text == "It is sunny in Paris."
        upstream_messages = gw.upstream.requests[-1].body["messages"]
        assert upstream_messages[-1] == {"role": "tool", "tool_call_id": tool["id"], "content": "sunny, 21C"}
        records = await gw.usage()
        assert [r.api_kind for r in records] == ["messages", "messages"]
        assert all(r.stream and r.status == 200 for r in records)


async def test_messages_errors_use_anthropic_shape(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        status, _, raw = await gw.post("/v1/messages", {"model": "auto"}, {"authorization": "Bearer nope"})
        assert status == 401
        doc = orjson.loads(raw)
        assert doc["type"] == "error" and doc["error"]["type"] == "authentication_error"

        status, _, raw = await gw.post("/v1/messages", {"model": "auto", "max_tokens": 5})
        assert status == 400
        doc = orjson.loads(raw)
        assert doc == {
            "type": "error",
            "error": {"type": "invalid_request_error", "message": "messages is required"},
        }

        body = {"model": "nobody/none", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
        status, _, raw = await gw.post("/v1/messages", body)
        assert status == 404
        assert orjson.loads(raw)["error"]["type"] == "not_found_error"


async def test_messages_server_tools_are_dropped_not_fatal(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        body = {
            "model": "oai/small",
            "max_tokens": 50,
            "tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 2}, *TOOLS],
            "messages": [{"role": "user", "content": "hi"}],
        }
        status, _, raw = await gw.post("/v1/messages", body)
        assert status == 200, raw
        sent = gw.upstream.requests[-1].body
        assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather"]
