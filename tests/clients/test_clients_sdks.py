"""The official SDKs against the real gateway on loopback: openai (chat completions and Responses)
and anthropic (Messages), streaming, each with a tool round trip; and one plain answer from the
real local SmolLM2 model through every dialect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
from dialects_harness import WEATHER_TOOL_SCHEMA, serving

from support.llama import llama_server
from support.upstream import Script

pytestmark = pytest.mark.slow

CHAT_TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {"name": "get_weather", "description": "Weather", "parameters": WEATHER_TOOL_SCHEMA},
    }
]


def oai(base_url: str, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=base_url + "/v1", api_key=key, max_retries=0)


async def test_openai_sdk_chat_stream_tool_round_trip(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        client = oai(gw.base_url, gw.key)
        gw.upstream.add(Script(text="", tool_calls=[("get_weather", '{"city": "Lima"}')]))
        messages: list[Any] = [{"role": "user", "content": "Weather in Lima?"}]
        stream = await client.chat.completions.create(
            model="ant/claude",  # a chat client served by the Anthropic-speaking upstream
            messages=messages,
            tools=CHAT_TOOLS,
            stream=True,
            stream_options={"include_usage": True},
        )
        call_id, name, args, finish, models, usage = "", "", "", None, set(), None
        async for chunk in stream:
            models.add(chunk.model)
            usage = chunk.usage or usage
            for choice in chunk.choices:
                finish = choice.finish_reason or finish
                for tc in choice.delta.tool_calls or []:
                    call_id = tc.id or call_id
                    if tc.function is not None:
                        name = tc.function.name or name
                        args += tc.function.arguments or ""
        assert models == {"ant/claude"} and finish == "tool_calls"
        assert name == "get_weather" and json.loads(args) == {"city": "Lima"}
        assert usage is not None and usage.prompt_tokens > 0

        gw.upstream.add(Script(text="Lima is mild today."))
        messages += [
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}
                ],
            },
            {"role": "tool", "tool_call_id": call_id, "content": "19C, cloudy"},
        ]
        stream = await client.chat.completions.create(
            model="ant/claude", messages=messages, tools=CHAT_TOOLS, stream=True
        )
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        assert text == "Lima is mild today."
        sent = gw.upstream.requests[-1]
        assert sent.path == "/v1/messages"
        result = sent.body["messages"][-1]["content"][0]
        assert result["type"] == "tool_result" and result["tool_use_id"] == call_id
        records = await gw.usage()
        assert [(r.api_kind, r.client_version) for r in records] == [("chat", openai.__version__)] * 2
        await client.close()


async def test_openai_sdk_responses_stream_tool_round_trip(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        client = oai(gw.base_url, gw.key)
        tools: list[Any] = [
            {"type": "function", "name": "get_weather", "parameters": WEATHER_TOOL_SCHEMA, "strict": False}
        ]
        gw.upstream.add(Script(text="", tool_calls=[("get_weather", '{"city": "Kyiv"}')]))
        async with client.responses.stream(
            model="oai/small", input="Weather in Kyiv?", tools=tools, store=False
        ) as stream:
            kinds = [event.type async for event in stream]
            first = await stream.get_final_response()
        assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
        (call,) = [item for item in first.output if item.type == "function_call"]
        assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "Kyiv"}
        assert first.usage is not None and first.usage.output_tokens > 0

        gw.upstream.add(Script(text="Kyiv: 2C."))
        follow_up: list[Any] = [
            {"role": "user", "content": "Weather in Kyiv?"},
            {
                "type": "function_call",
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            },
            {"type": "function_call_output", "call_id": call.call_id, "output": "2C"},
        ]
        async with client.responses.stream(
            model="oai/small", input=follow_up, tools=tools, store=False
        ) as stream:
            final = await stream.get_final_response()
        assert final.output_text == "Kyiv: 2C."
        assert final.model == "oai/small"
        records = await gw.usage()
        assert [r.api_kind for r in records] == ["responses", "responses"]
        await client.close()


async def test_anthropic_sdk_messages_stream_tool_round_trip(tmp_path: Path) -> None:
    async with serving(tmp_path) as gw:
        client = anthropic.AsyncAnthropic(base_url=gw.base_url, api_key=gw.key, max_retries=0)
        tools: list[Any] = [
            {"name": "get_weather", "description": "Weather", "input_schema": WEATHER_TOOL_SCHEMA}
        ]
        gw.upstream.add(Script(text="Checking.", tool_calls=[("get_weather", '{"city": "Cairo"}')]))
        messages: list[Any] = [{"role": "user", "content": "Weather in Cairo?"}]
        async with client.messages.stream(
            model="oai/small",  # a Messages client served by the OpenAI-compatible upstream
            max_tokens=200,
            system="You are terse.",
            messages=messages,
            tools=tools,
        ) as stream:
            first = await stream.get_final_message()
        assert first.stop_reason == "tool_use" and first.model == "oai/small"
        assert first.content[0].type == "text" and first.content[0].text == "Checking."
        tool_use = first.content[1]
        assert tool_use.type == "tool_use" and tool_use.input == {"city": "Cairo"}
        assert first.usage.output_tokens > 0

        gw.upstream.add(Script(text="Hot: 35C."))
        messages += [
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "35C"}],
            },
        ]
        async with client.messages.stream(
            model="oai/small", max_tokens=200, messages=messages, tools=tools
        ) as stream:
            text = "".join([t async for t in stream.text_stream])
            final = await stream.get_final_message()
        assert text == "Hot: 35C." and final.stop_reason == "end_turn"
        sent = gw.upstream.requests[-1].body["messages"]
        assert sent[-1] == {"role": "tool", "tool_call_id": tool_use.id, "content": "35C"}

        with pytest.raises(anthropic.NotFoundError) as err:
            await client.messages.create(
                model="no/such", max_tokens=5, messages=[{"role": "user", "content": "x"}]
            )
        assert err.value.body["error"]["type"] == "not_found_error"  # type: ignore[index]
        records = await gw.usage()
        assert [r.api_kind for r in records] == ["messages"] * 3
        assert records[0].client_version == anthropic.__version__
        await client.close()


async def test_real_smollm2_answers_through_every_dialect(tmp_path: Path) -> None:
    async with llama_server() as local:
        providers = {"local": {"kind": "openai", "base_url": local.base_url}}
        models = [{"id": "local/smollm2", "provider": "local", "upstream_id": local.model, "context": 2048}]
        async with serving(tmp_path, providers=providers, models=models, default="local/smollm2") as gw:
            question = "What is the capital of France? Answer in one word."
            client = oai(gw.base_url, gw.key)
            chat = await client.chat.completions.create(
                model="auto", messages=[{"role": "user", "content": question}], max_tokens=16, temperature=0
            )
            assert chat.model == "local/smollm2"
            assert "paris" in (chat.choices[0].message.content or "").lower()

            events = await client.responses.create(
                model="auto", input=question, max_output_tokens=16, stream=True
            )
            last = [event async for event in events][-1]
            # a short limit may cut the answer: response.incomplete is the Responses way to say so
            assert last.type in ("response.completed", "response.incomplete")
            assert last.response.output_text.strip() and last.response.model == "local/smollm2"

            ant = anthropic.AsyncAnthropic(base_url=gw.base_url, api_key=gw.key, max_retries=0)
            async with ant.messages.stream(
                model="auto", max_tokens=16, messages=[{"role": "user", "content": question}]
            ) as mstream:
                message = await mstream.get_final_message()
            assert message.model == "local/smollm2"
            assert message.content[0].type == "text" and message.content[0].text.strip()
            records = await gw.usage()
            assert {r.routed_model for r in records} == {"local/smollm2"}
            assert [r.api_kind for r in records] == ["chat", "responses", "messages"]
            assert all(r.completion_tokens > 0 for r in records)
            await client.close()
            await ant.close()
