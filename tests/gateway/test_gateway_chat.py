"""/v1/chat/completions in-process: responses, streaming, errors, usage records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from gateway_harness import GatewayFactory, user

from benchroute.providers.base import ProviderError, Target
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    Finish,
    StreamEvent,
    TextDelta,
    ToolCall,
    Usage,
    UsageReport,
)


def sse_payloads(text: str) -> list[Any]:
    out: list[Any] = []
    for block in text.split("\n\n"):
        if block.startswith("data: "):
            data = block[len("data: ") :]
            out.append(data if data == "[DONE]" else orjson.loads(data))
    return out


async def test_manual_model_non_streaming(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add(Reply(text="hi there", usage=Usage(prompt_tokens=1000, completion_tokens=500)))
    r = await gw.chat({"model": "fake/b", "messages": user()}, **{"user-agent": "Kilo-Code/7.7.7"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model"] == "fake/b"
    assert body["choices"][0]["message"]["content"] == "hi there"
    assert r.headers["x-benchroute-model"] == "fake/b"
    assert r.headers["x-benchroute-tier"] == "manual"
    decision_id = r.headers["x-benchroute-decision-id"]
    _, target = gw.providers["fb"].requests[0]
    assert target == Target(upstream_model="b-up", api_key=None, catalog_id="fake/b", reasoning=False)
    [rec] = await gw.records()
    assert rec.id == decision_id == rec.decision_id
    assert (rec.routed_model, rec.provider, rec.tier, rec.requested_model) == (
        "fake/b",
        "fb",
        "manual",
        "fake/b",
    )
    assert (rec.prompt_tokens, rec.completion_tokens, rec.status) == (1000, 500, 200)
    assert rec.cost_usd == pytest.approx((1000 * 0.5 + 500 * 1.0) / 1e6)
    assert (rec.client_name, rec.client_version) == ("kilo-code", "7.7.7")
    assert rec.session_key and rec.session_key.startswith("h:")
    assert rec.latency_ms > 0 and rec.ttft_ms is not None


async def test_auto_goes_to_configured_default(gateway: GatewayFactory) -> None:
    gw = await gateway()
    r = await gw.chat(
        {"model": "kilo-auto/efficient", "messages": user("ping")}, **{"x-kilocode-taskid": "t1"}
    )
    assert r.status_code == 200
    assert r.json()["model"] == "fake/a"
    assert r.json()["choices"][0]["message"]["content"] == "echo: ping"
    assert r.headers["x-benchroute-tier"] == "auto/efficient"
    [rec] = await gw.records()
    assert rec.session_key == "t1" and rec.task_id == "t1"


async def test_streaming_renders_sse_and_logs_usage(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add(
        Reply(text="one two three", chunks=3, usage=Usage(prompt_tokens=7, completion_tokens=3))
    )
    body = {"model": "fake/b", "messages": user(), "stream": True, "stream_options": {"include_usage": True}}
    r = await gw.chat(body)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["x-benchroute-model"] == "fake/b"
    payloads = sse_payloads(r.text)
    assert payloads[-1] == "[DONE]"
    text = "".join(p["choices"][0]["delta"].get("content", "") for p in payloads[:-1] if p["choices"])
    assert text == "one two three"
    assert payloads[-2]["usage"]["prompt_tokens"] == 7
    [rec] = await gw.records()
    assert rec.stream and (rec.prompt_tokens, rec.completion_tokens) == (7, 3)
    assert rec.ttft_ms is not None and rec.status == 200


async def test_tool_call_round_trip(gateway: GatewayFactory) -> None:
    gw = await gateway()
    call = ToolCall(id="call_1", name="read_file", arguments='{"path": "a.py"}')
    gw.providers["fb"].add(Reply(tool_calls=[call]), Reply(text="done"))
    tools = [{"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}]
    r = await gw.chat({"model": "fake/b", "messages": user("read a.py"), "tools": tools})
    msg = r.json()["choices"][0]["message"]
    assert r.json()["choices"][0]["finish_reason"] == "tool_calls"
    assert msg["tool_calls"][0]["function"] == {"name": "read_file", "arguments": '{"path": "a.py"}'}
    messages = [
        *user("read a.py"),
        msg,
        {"role": "tool", "tool_call_id": "call_1", "content": "print(1)"},
    ]
    r2 = await gw.chat({"model": "fake/b", "messages": messages, "tools": tools})
    assert r2.json()["choices"][0]["message"]["content"] == "done"
    sent: ChatRequest = gw.providers["fb"].requests[1][0]
    assert sent.messages[1].tool_calls[0].id == "call_1"
    assert sent.messages[2].tool_call_id == "call_1"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (b"", 400, "empty"),
        (b'{"model": "fake/b"}', 400, "messages"),
        (b'{"model": "nope/x", "messages": [{"role": "user", "content": "x"}]}', 404, "/v1/models"),
    ],
)
async def test_client_errors_in_openai_shape(
    gateway: GatewayFactory, body: bytes, status: int, fragment: str
) -> None:
    gw = await gateway()
    r = await gw.client.post("/v1/chat/completions", content=body, headers=gw.auth())
    assert r.status_code == status
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert fragment in error["message"]


async def test_body_too_large(gateway: GatewayFactory) -> None:
    gw = await gateway(max_body_bytes=1000)
    r = await gw.chat({"model": "fake/b", "messages": user("x" * 2000)})
    assert r.status_code == 413
    assert "too large" in r.json()["error"]["message"]


async def test_not_allowed_model_is_403(gateway: GatewayFactory) -> None:
    gw = await gateway()
    _, narrow_key = await gw.store.create_key("narrow")
    r = await gw.client.post(
        "/v1/chat/completions", json={"model": "fake/a", "messages": user()}, headers=gw.auth(narrow_key)
    )
    assert r.status_code == 403
    assert "allowed_models" in r.json()["error"]["message"]
    assert gw.providers["fa"].calls == 0


async def test_auth_errors(gateway: GatewayFactory) -> None:
    gw = await gateway()
    body = {"model": "fake/b", "messages": user()}
    r = await gw.client.post("/v1/chat/completions", json=body)
    assert r.status_code == 401 and r.json()["error"]["code"] == "missing_api_key"
    r = await gw.client.post("/v1/chat/completions", json=body, headers={"authorization": "Bearer br-wrong"})
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"
    r = await gw.client.post("/v1/chat/completions", json=body, headers={"x-api-key": gw.key})
    assert r.status_code == 200


async def test_auth_none_maps_to_default_project(gateway: GatewayFactory) -> None:
    gw = await gateway(auth="none")
    r = await gw.client.post("/v1/chat/completions", json={"model": "fake/b", "messages": user()})
    assert r.status_code == 200
    [rec] = await gw.records()
    assert rec.project == "default" and rec.key_id is None


async def test_failover_to_fallback_before_first_byte(gateway: GatewayFactory) -> None:
    gw = await gateway()
    boom = ProviderError("server", "upstream 503", status=503)
    gw.providers["fa"].add(boom, boom)
    # the configured defaults: fake/a first, and the local models after it -> no fallback; use a
    # second configured default via the engine below instead
    from benchroute.routing.decision import Decision

    class TwoStep:
        def route(self, request: Any, project: Any, ctx: Any) -> Decision:
            return Decision(model="fake/a", tier="auto/efficient", reason="default", fallbacks=("fake/b",))

    gw = await gateway(engine=TwoStep())
    gw.providers["fa"].add(boom, boom)
    r = await gw.chat({"model": "auto", "messages": user("x")})
    assert r.status_code == 200, r.text
    assert r.json()["model"] == "fake/b"
    assert r.headers["x-benchroute-model"] == "fake/b"
    assert gw.providers["fa"].calls == 2  # the first try and one retry
    [rec] = await gw.records()
    assert rec.routed_model == "fake/b"


@pytest.mark.parametrize("stream", [False, True])
async def test_when_every_attempt_fails_the_record_names_the_model_tried_last(
    gateway: GatewayFactory, stream: bool
) -> None:
    from benchroute.routing.decision import Decision

    class TwoStep:
        def route(self, request: Any, project: Any, ctx: Any) -> Decision:
            return Decision(model="fake/a", tier="auto/efficient", reason="default", fallbacks=("fake/b",))

    gw = await gateway(engine=TwoStep())
    boom = ProviderError("server", "upstream 503", status=503)
    gw.providers["fa"].add(boom, boom)
    gw.providers["fb"].add(boom)
    r = await gw.chat({"model": "auto", "messages": user("x"), "stream": stream})
    assert r.status_code == 502, r.text
    assert r.headers["x-benchroute-model"] == "fake/b"
    [rec] = await gw.records()
    assert (rec.routed_model, rec.provider, rec.status) == ("fake/b", "fb", 502)


async def test_streaming_failover_and_cooldown(gateway: GatewayFactory) -> None:
    from benchroute.routing.decision import Decision

    class TwoStep:
        def route(self, request: Any, project: Any, ctx: Any) -> Decision:
            model = "fake/b" if "fake/a" in ctx.unavailable else "fake/a"
            return Decision(model=model, tier="auto/efficient", reason="default", fallbacks=("fake/b",))

    gw = await gateway(engine=TwoStep(), cooldown_failures=2)
    limited = ProviderError("rate_limit", "slow down", status=429, retry_after=30)
    gw.providers["fa"].add(limited)
    body = {"model": "auto", "messages": user(), "stream": True}
    r = await gw.chat(body)
    assert r.status_code == 200 and r.headers["x-benchroute-model"] == "fake/b"
    assert gw.providers["fa"].calls == 1  # a 429 with Retry-After cools down at once: no retry
    assert "fake/a" in gw.state.health.unavailable()
    r = await gw.chat(body)
    assert r.headers["x-benchroute-model"] == "fake/b"
    assert gw.providers["fa"].calls == 1


async def test_rate_limit_without_fallback_is_429_with_retry_after(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add(ProviderError("rate_limit", "slow down", status=429, retry_after=12))
    r = await gw.chat({"model": "fake/b", "messages": user()})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "12"
    assert r.json()["error"]["type"] == "rate_limit_error"
    assert r.headers["x-benchroute-model"] == "fake/b"  # routed before it failed: still explained
    [rec] = await gw.records()
    assert rec.id == r.headers["x-benchroute-decision-id"]
    assert rec.status == 429 and "rate limited" in (rec.error or "")


async def test_upstream_protocol_error_is_502_without_retry(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add(ProviderError("protocol", "upstream sent garbage"))
    r = await gw.chat({"model": "fake/b", "messages": user()})
    assert r.status_code == 502
    assert r.json()["error"]["code"] == "upstream_protocol"
    assert gw.providers["fb"].calls == 1


async def test_mid_stream_failure_ends_with_error_event(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add(Reply(text="abcdef", chunks=3, fail_after=2))
    r = await gw.chat({"model": "fake/b", "messages": user(), "stream": True})
    payloads = sse_payloads(r.text)
    assert payloads[-1] == "[DONE]"
    assert "error" in payloads[-2]
    [rec] = await gw.records()
    assert rec.status == 502 and "mid-stream" in (rec.error or "")


async def test_missing_usage_is_counted_with_tiktoken(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add(Reply(text="hello world", usage=Usage()))
    gw.providers["fb"].add(Reply(text="hello world", usage=Usage(), chunks=2))
    await gw.chat({"model": "fake/b", "messages": user("count these tokens please")})
    await gw.chat({"model": "fake/b", "messages": user("count these tokens please"), "stream": True})
    recs = await gw.records()
    assert gw.state.tokens.method == "tiktoken"
    for rec in recs:
        assert rec.completion_tokens == 2  # "hello world" in o200k_base
        assert rec.prompt_tokens == 4 + 4 + 3  # message overhead + 4 tokens + reply priming
    decision = await gw.store.get_decision(recs[0].id, project="default")
    assert decision is not None and decision.decision["usage_source"] == "tiktoken"


class SlowProvider:
    """Yields one event, then stays silent for `pause` seconds before finishing."""

    name = "fb"

    def __init__(self, pause: float) -> None:
        self.pause = pause

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        raise NotImplementedError

    async def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]:
        yield TextDelta("a")
        await asyncio.sleep(self.pause)
        yield TextDelta("b")
        yield Finish("stop")
        yield UsageReport(Usage(prompt_tokens=1, completion_tokens=2))

    async def list_models(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None


async def test_keepalive_while_upstream_is_silent(gateway: GatewayFactory) -> None:
    gw = await gateway(providers={"fb": SlowProvider(0.35)}, keepalive_seconds=0.1)
    r = await gw.chat({"model": "fake/b", "messages": user(), "stream": True})
    assert r.text.count(": keep-alive") >= 2
    text = "".join(
        p["choices"][0]["delta"].get("content", "") for p in sse_payloads(r.text)[:-1] if p["choices"]
    )
    assert text == "ab"


async def test_unexpected_engine_error_is_500_with_id(gateway: GatewayFactory) -> None:
    class Broken:
        def route(self, request: Any, project: Any, ctx: Any) -> Any:
            raise RuntimeError("bug")

    gw = await gateway(engine=Broken())
    r = await gw.chat({"model": "auto", "messages": user()})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"
    assert r.headers["x-benchroute-error-id"] in r.json()["error"]["message"]
    r = await gw.chat({"model": "fake/b", "messages": user()})
    assert r.status_code == 500  # still serving


async def test_byok_key_is_passed_to_provider(gateway: GatewayFactory) -> None:
    gw = await gateway()
    await gw.store.set_provider_key("default", "fb", "sk-user-own-key")
    await gw.chat({"model": "fake/b", "messages": user()})
    assert gw.providers["fb"].requests[0][1].api_key == "sk-user-own-key"


def test_fake_provider_is_a_provider() -> None:
    from benchroute.providers.base import Provider

    assert isinstance(FakeProvider("x"), Provider)


class EndlessProvider(SlowProvider):
    """Streams a delta every 20 ms until closed; records that it was closed."""

    closed = False

    async def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]:
        try:
            while True:
                yield TextDelta("x")
                await asyncio.sleep(0.02)
        finally:
            EndlessProvider.closed = True


async def test_client_disconnect_stops_the_upstream_and_is_logged(gateway: GatewayFactory) -> None:
    import aiohttp

    gw = await gateway(providers={"fb": EndlessProvider(0)})
    async with aiohttp.ClientSession() as session:
        resp = await session.post(
            gw.client.base_url + "/v1/chat/completions",
            json={"model": "fake/b", "messages": user(), "stream": True},
            headers=gw.auth(),
        )
        assert resp.status == 200
        await resp.content.readany()
        resp.close()  # drop the connection mid-stream
    [rec] = await gw.records()
    assert rec.status == 499 and "disconnected" in (rec.error or "")
    assert rec.completion_tokens > 0  # counted from what was relayed
    assert EndlessProvider.closed


async def test_slow_first_token_starts_the_response_and_keeps_it_alive(gateway: GatewayFactory) -> None:
    gw = await gateway(keepalive_seconds=0.1)
    gw.providers["fb"].add(
        Reply(text="late answer", delay=0.35, usage=Usage(prompt_tokens=3, completion_tokens=2))
    )
    r = await gw.chat({"model": "fake/b", "messages": user(), "stream": True})
    assert r.status_code == 200
    assert r.text.startswith(": keep-alive")  # bytes went out before the first token
    assert r.text.count(": keep-alive") >= 2
    payloads = sse_payloads(r.text)
    text = "".join(p["choices"][0]["delta"].get("content", "") for p in payloads[:-1] if p["choices"])
    assert text == "late answer" and payloads[-1] == "[DONE]"
    [rec] = await gw.records()
    assert rec.status == 200 and rec.ttft_ms is not None and rec.ttft_ms >= 300


async def test_slow_failure_after_the_response_started_is_an_error_event(gateway: GatewayFactory) -> None:
    gw = await gateway(keepalive_seconds=0.05)
    gw.providers["fb"].add(Reply(error=ProviderError("server", "upstream 503", status=503), delay=0.2))
    r = await gw.chat({"model": "fake/b", "messages": user(), "stream": True})
    assert r.status_code == 200
    payloads = sse_payloads(r.text)
    assert payloads[-1] == "[DONE]" and "503" in payloads[-2]["error"]["message"]
    [rec] = await gw.records()
    assert rec.status == 502


async def test_rejected_requests_do_not_cool_the_model_down(gateway: GatewayFactory) -> None:
    gw = await gateway(cooldown_failures=1)
    gw.providers["fb"].add(ProviderError("client", "context length exceeded", status=400))
    r = await gw.chat({"model": "fake/b", "messages": user()})
    assert r.status_code == 400 and "context length exceeded" in r.json()["error"]["message"]
    assert gw.state.health.unavailable() == frozenset()
    gw.providers["fb"].add(
        ProviderError("server", "boom", status=500), ProviderError("server", "boom", status=500)
    )
    r = await gw.chat({"model": "fake/b", "messages": user()})
    assert r.status_code == 502
    assert gw.state.health.unavailable() == {"fake/b"}


async def test_client_gone_before_a_non_streamed_answer_cancels_the_upstream_call(
    gateway: GatewayFactory,
) -> None:
    import time

    import aiohttp

    gw = await gateway()
    gw.providers["fb"].add(Reply(text="too late", delay=5.0))
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
        with pytest.raises(TimeoutError):
            await session.post(
                gw.client.base_url + "/v1/chat/completions",
                json={"model": "fake/b", "messages": user()},
                headers=gw.auth(),
            )
    [rec] = await gw.records()
    assert time.monotonic() - started < 3  # the 5 s upstream call was abandoned
    assert rec.status == 499 and "disconnected" in (rec.error or "")
