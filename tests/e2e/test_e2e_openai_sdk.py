"""The real gateway in front of the scripted upstream, driven by the real `openai` SDK."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import openai
import pytest
from e2e_harness import serving

from support.upstream import Script

pytestmark = pytest.mark.slow

USER = [{"role": "user", "content": "write hello world"}]


async def test_non_streaming_and_usage_record(tmp_path: Path) -> None:
    async with serving(tmp_path) as e2e:
        e2e.upstream.add(
            Script(text="print('hi')", prompt_tokens=1200, completion_tokens=300, cached_tokens=200)
        )
        client = e2e.client()
        raw = await client.chat.completions.with_raw_response.create(model="up/small", messages=USER)  # type: ignore[arg-type]
        resp = raw.parse()
        assert resp.model == "up/small"
        assert resp.choices[0].message.content == "print('hi')"
        assert resp.usage is not None and resp.usage.prompt_tokens == 1200
        assert raw.headers["x-benchroute-model"] == "up/small"
        assert raw.headers["x-benchroute-tier"] == "manual"
        assert e2e.upstream.requests[-1].body["model"] == "scripted-small"
        assert e2e.upstream.requests[-1].headers.get("Authorization") == "Bearer sk-upstream"
        [rec] = await e2e.usage()
        assert rec.id == raw.headers["x-benchroute-decision-id"]
        assert (rec.prompt_tokens, rec.completion_tokens, rec.cached_tokens) == (1200, 300, 200)
        assert rec.cost_usd == pytest.approx((1000 * 1.0 + 200 * 0.1 + 300 * 4.0) / 1e6)
        assert rec.client_name == "asyncopenai-python" and rec.status == 200 and not rec.stream
        await client.close()


async def test_streaming_with_usage(tmp_path: Path) -> None:
    async with serving(tmp_path, upstream_kw={"chunks": 5}) as e2e:
        e2e.upstream.add(Script(text="one two three four five", prompt_tokens=50, completion_tokens=5))
        client = e2e.client()
        stream = await client.chat.completions.create(
            model="auto",
            messages=USER,
            stream=True,
            stream_options={"include_usage": True},  # type: ignore[arg-type]
        )
        text, usage, models = "", None, set()
        async for chunk in stream:
            models.add(chunk.model)
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
            if chunk.usage:
                usage = chunk.usage
        assert text == "one two three four five"
        assert models == {"up/small"}  # auto -> the configured balanced chat model
        assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (50, 5)
        [rec] = await e2e.usage()
        assert rec.stream and rec.tier == "auto/efficient" and rec.routed_model == "up/small"
        assert (rec.prompt_tokens, rec.completion_tokens) == (50, 5) and rec.ttft_ms is not None
        await client.close()


async def test_tool_call_round_trip(tmp_path: Path) -> None:
    async with serving(tmp_path) as e2e:
        e2e.upstream.add(
            Script(tool_calls=[("read_file", '{"path": "main.py"}')]), Script(text="It prints 1.")
        )
        tools = [
            {
                "type": "function",
                "function": {
                    "name": "read_file",
                    "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
                },
            }
        ]
        client = e2e.client()
        first = await client.chat.completions.create(model="up/small", messages=USER, tools=tools)  # type: ignore[arg-type]
        call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
        assert first.choices[0].finish_reason == "tool_calls"
        assert call.function.name == "read_file" and json.loads(call.function.arguments) == {
            "path": "main.py"
        }  # type: ignore[union-attr]
        messages = [
            *USER,
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "print(1)"},
        ]
        final = await client.chat.completions.create(model="up/small", messages=messages, tools=tools)  # type: ignore[arg-type]
        assert final.choices[0].message.content == "It prints 1."
        sent = e2e.upstream.requests[-1].body["messages"]
        assert sent[1]["tool_calls"][0]["id"] == call.id and sent[2]["tool_call_id"] == call.id
        await client.close()


async def test_client_errors(tmp_path: Path) -> None:
    async with serving(tmp_path, max_body_bytes=4096) as e2e:
        bad_key = openai.AsyncOpenAI(base_url=e2e.base_url + "/v1", api_key="br-nope", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            await bad_key.chat.completions.create(model="up/small", messages=USER)  # type: ignore[arg-type]
        client = e2e.client()
        with pytest.raises(openai.NotFoundError) as nf:
            await client.chat.completions.create(model="nope/model", messages=USER)  # type: ignore[arg-type]
        assert "/v1/models" in str(nf.value)
        with pytest.raises(openai.APIStatusError) as big:
            await client.chat.completions.create(
                model="up/small", messages=[{"role": "user", "content": "x" * 10_000}]
            )
        assert big.value.status_code == 413
        async with aiohttp.ClientSession() as http:
            async with http.post(
                e2e.base_url + "/v1/chat/completions",
                data=b'{"model": "up/small", "messages": [',
                headers={"authorization": f"Bearer {e2e.key}", "content-type": "application/json"},
            ) as r:
                assert r.status == 400
                assert "not valid JSON" in (await r.json())["error"]["message"]
        await client.close()
        await bad_key.close()


@pytest.mark.parametrize(
    "scripts",
    [
        [Script(status=500), Script(status=502)],  # 5xx twice on the primary (try + retry)
        [Script(status=429, retry_after="5")],  # 429 with Retry-After: cooldown at once, no retry
    ],
    ids=["5xx", "429"],
)
async def test_failover_to_next_candidate(tmp_path: Path, scripts: list[Script]) -> None:
    async with serving(tmp_path) as e2e:
        e2e.upstream.add(*scripts)
        client = e2e.client()
        raw = await client.chat.completions.with_raw_response.create(model="auto", messages=USER)  # type: ignore[arg-type]
        assert raw.parse().model == "up/large"
        assert raw.headers["x-benchroute-model"] == "up/large"
        assert [r.body["model"] for r in e2e.upstream.requests] == ["scripted-small"] * len(scripts) + [
            "scripted-large"
        ]
        [rec] = await e2e.usage()
        assert rec.routed_model == "up/large" and rec.status == 200
        decision = await e2e.state.store.get_decision(rec.id, project="default")
        assert decision is not None and decision.decision["model"] == "up/small"  # what the router chose
        assert decision.decision["served_model"] == "up/large"
        await client.close()


async def test_failover_on_connect_refused(tmp_path: Path) -> None:
    async with serving(tmp_path) as e2e:
        e2e.state.settings.tiers.balanced["chat"] = "dead/model"  # the engine reads the same settings object
        from benchroute.routing.static import StaticRouter

        e2e.state.engine = StaticRouter(e2e.state.catalog, e2e.state.settings.tiers)
        client = e2e.client()
        resp = await client.chat.completions.create(model="auto", messages=USER, stream=True)  # type: ignore[arg-type]
        chunks = [c async for c in resp]
        assert chunks[0].model == "up/large"
        assert "dead/model" not in e2e.state.health.unavailable()  # 2 failures < cooldown_failures (3)
        await client.close()


async def test_mid_stream_reset_raises_in_the_sdk(tmp_path: Path) -> None:
    async with serving(tmp_path, upstream_kw={"chunks": 6}) as e2e:
        e2e.upstream.add(Script(text="a b c d e f", reset_after=2))
        client = e2e.client()
        stream = await client.chat.completions.create(model="up/small", messages=USER, stream=True)  # type: ignore[arg-type]
        got = ""
        with pytest.raises(openai.APIError):
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    got += chunk.choices[0].delta.content
        assert got  # the first chunks arrived before the failure
        [rec] = await e2e.usage()
        assert rec.status == 502 and "mid-stream" in (rec.error or "")
        await client.close()


async def test_rate_limit_burst_without_fallback(tmp_path: Path) -> None:
    async with serving(tmp_path, upstream_kw={"rate_limit_burst": 4}) as e2e:
        client = e2e.client()
        for _ in range(2):
            with pytest.raises(openai.RateLimitError):
                await client.chat.completions.create(model="up/small", messages=USER)  # type: ignore[arg-type]
        records = await e2e.usage()
        assert [r.status for r in records] == [429, 429]
        await client.close()


async def test_garbage_json_from_upstream_is_502(tmp_path: Path) -> None:
    async with serving(tmp_path) as e2e:
        e2e.upstream.add(Script(raw_body=b"<html>oops</html>"))
        client = e2e.client()
        with pytest.raises(openai.APIStatusError) as err:
            await client.chat.completions.create(model="up/small", messages=USER)  # type: ignore[arg-type]
        assert err.value.status_code == 502
        body = err.value.body
        assert isinstance(body, dict) and body.get("code") == "upstream_protocol"
        assert len(e2e.upstream.requests) == 1  # not retried
        await client.close()


async def test_upstream_timeout_is_504(tmp_path: Path) -> None:
    async with serving(tmp_path, read_timeout=0.3, retries=0) as e2e:
        e2e.upstream.add(Script(hang=True))
        client = e2e.client()
        with pytest.raises(openai.APIStatusError) as err:
            await client.chat.completions.create(model="up/small", messages=USER)  # type: ignore[arg-type]
        assert err.value.status_code == 504
        await client.close()


async def test_upstream_stall_mid_stream_ends_with_an_error(tmp_path: Path) -> None:
    async with serving(tmp_path, read_timeout=0.3, upstream_kw={"chunks": 6}) as e2e:
        e2e.upstream.add(Script(text="a b c d e f", stall_after=2))
        client = e2e.client()
        stream = await client.chat.completions.create(model="up/small", messages=USER, stream=True)  # type: ignore[arg-type]
        with pytest.raises(openai.APIError):
            async for _ in stream:
                pass
        [rec] = await e2e.usage()
        assert rec.status == 502
        await client.close()


async def test_kilo_headers_reach_the_usage_record(tmp_path: Path) -> None:
    headers = {
        "x-kilocode-mode": "architect",
        "x-kilocode-taskid": "task-7",
        "x-kilocode-parent-taskid": "task-1",
        "x-kilocode-editorname": "Visual Studio Code 1.99.0",
        "x-kilocode-machineid": "machine-1",
        "User-Agent": "Kilo-Code/5.3.0",
    }
    async with serving(tmp_path) as e2e:
        client = e2e.client(default_headers=headers)
        await client.chat.completions.create(model="kilo-auto/balanced", messages=USER)  # type: ignore[arg-type]
        [rec] = await e2e.usage()
        assert (rec.mode, rec.task_id, rec.parent_task_id, rec.session_key) == (
            "architect",
            "task-7",
            "task-1",
            "task-7",
        )
        assert (rec.editor_name, rec.machine_id) == ("Visual Studio Code 1.99.0", "machine-1")
        assert (rec.client_name, rec.client_version, rec.tier) == ("kilo-code", "5.3.0", "auto/balanced")
        await client.close()
