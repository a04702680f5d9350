"""POST /v1/responses on the real gateway, and a chat client served by an Anthropic upstream."""

from __future__ import annotations

from pathlib import Path

import orjson
from dialects_harness import WEATHER_TOOL_SCHEMA, serving, sse_events

from support.upstream import Script

FUNCTION_TOOL = {
    "type": "function",
    "name": "get_weather",
    "parameters": WEATHER_TOOL_SCHEMA,
    "strict": False,
}


async def test_responses_codex_style_stream_with_hosted_tools_dropped(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        gw.upstream.add(Script(text="", tool_calls=[("get_weather", '{"city":"Oslo"}')]))
        body = {
            "model": "oai/small",
            "instructions": "You are a coding agent.",
            "input": [
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Oslo?"}]}
            ],
            "tools": [FUNCTION_TOOL, {"type": "web_search"}, {"type": "local_shell"}],
            "tool_choice": "auto",
            "parallel_tool_calls": False,
            "reasoning": {"effort": "low", "summary": "auto"},
            "store": False,
            "stream": True,
            "include": ["reasoning.encrypted_content"],
            "prompt_cache_key": "abc",
        }
        status, headers, raw = await gw.post("/v1/responses", body)
        assert status == 200, raw
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["x-benchroute-model"] == "oai/small"
        events = sse_events(raw)
        types = [d["type"] for _, d in events]
        assert types[0] == "response.created" and types[-1] == "response.completed"
        completed = events[-1][1]["response"]
        assert completed["model"] == "oai/small"
        assert completed["usage"]["input_tokens"] > 0 and completed["usage"]["output_tokens"] > 0
        (call,) = [item for item in completed["output"] if item["type"] == "function_call"]
        assert call["name"] == "get_weather" and orjson.loads(call["arguments"]) == {"city": "Oslo"}
        sent = gw.upstream.requests[-1].body
        assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather"]
        assert sent["messages"][0] == {"role": "system", "content": "You are a coding agent."}

        # the function output goes back; the answer is plain text
        gw.upstream.add(Script(text="Cold in Oslo."))
        body["input"] = [
            *body["input"],
            {
                "type": "function_call",
                "call_id": call["call_id"],
                "name": "get_weather",
                "arguments": call["arguments"],
            },
            {"type": "function_call_output", "call_id": call["call_id"], "output": "-3C"},
        ]
        status, _, raw = await gw.post("/v1/responses", body)
        assert status == 200
        done = [d for _, d in sse_events(raw) if d["type"] == "response.output_text.done"]
        assert done[0]["text"] == "Cold in Oslo."
        assert gw.upstream.requests[-1].body["messages"][-1]["role"] == "tool"
        records = await gw.usage()
        assert [r.api_kind for r in records] == ["responses", "responses"]


async def test_responses_non_stream_and_errors(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        gw.upstream.add(Script(text="plain answer"))
        status, _, raw = await gw.post(
            "/v1/responses", {"model": "oai/small", "input": "hello", "store": False}
        )
        assert status == 200, raw
        doc = orjson.loads(raw)
        assert doc["object"] == "response" and doc["status"] == "completed"
        assert doc["output"][-1]["content"][0]["text"] == "plain answer"

        status, _, raw = await gw.post(
            "/v1/responses", {"model": "oai/small", "input": "again", "previous_response_id": "resp_1"}
        )
        assert status == 400
        err = orjson.loads(raw)["error"]
        assert err["param"] == "previous_response_id" and "stores no responses" in err["message"]

        status, _, raw = await gw.post(
            "/v1/responses",
            {
                "model": "oai/small",
                "input": "x",
                "tools": [{"type": "web_search"}],
                "tool_choice": {"type": "web_search"},
            },
        )
        assert status == 400
        assert orjson.loads(raw)["error"]["type"] == "invalid_request_error"


async def test_chat_client_served_by_anthropic_upstream_streams_tool_calls(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        gw.upstream.add(Script(text="Let me check.", tool_calls=[("get_weather", '{"city": "Rome"}')]))
        body = {
            "model": "ant/claude",
            "stream": True,
            "stream_options": {"include_usage": True},
            "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "Rome?"}],
            "tools": [
                {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER_TOOL_SCHEMA}}
            ],
            "usage": {"include": True},
            "provider": {"sort": "price"},
            "description": "kilo adds this",
        }
        status, headers, raw = await gw.post("/v1/chat/completions", body)
        assert status == 200, raw
        assert headers["x-benchroute-model"] == "ant/claude"
        chunks = [d for _, d in sse_events(raw)]
        assert all(c["model"] == "ant/claude" for c in chunks)
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
        assert text == "Let me check."
        calls = [
            tc for c in chunks if c["choices"] for tc in c["choices"][0]["delta"].get("tool_calls") or []
        ]
        assert calls[0]["function"]["name"] == "get_weather"
        assert orjson.loads("".join(tc["function"].get("arguments") or "" for tc in calls)) == {
            "city": "Rome"
        }
        finish = [
            c["choices"][0]["finish_reason"]
            for c in chunks
            if c["choices"] and c["choices"][0]["finish_reason"]
        ]
        assert finish == ["tool_calls"]
        assert chunks[-1]["usage"]["prompt_tokens"] > 0
        sent = gw.upstream.requests[-1]
        assert sent.path == "/v1/messages"
        assert sent.body["system"] in ("sys", [{"type": "text", "text": "sys"}])
        assert sent.body["tools"][0]["input_schema"] == WEATHER_TOOL_SCHEMA


async def test_responses_client_served_by_anthropic_upstream(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        gw.upstream.add(Script(text="On it.", tool_calls=[("get_weather", '{"city": "Bern"}')]))
        body = {
            "model": "ant/claude",
            "input": "Bern?",
            "tools": [FUNCTION_TOOL],
            "stream": True,
            "store": False,
        }
        status, _, raw = await gw.post("/v1/responses", body)
        assert status == 200, raw
        completed = sse_events(raw)[-1][1]
        assert completed["type"] == "response.completed"
        output = completed["response"]["output"]
        assert [item["type"] for item in output] == ["message", "function_call"]
        assert output[0]["content"][0]["text"] == "On it."
        assert orjson.loads(output[1]["arguments"]) == {"city": "Bern"}
        assert gw.upstream.requests[-1].path == "/v1/messages"
        (record,) = await gw.usage()
        assert (
            record.api_kind == "responses"
            and record.routed_model == "ant/claude"
            and record.provider == "ant"
        )
