"""OpenAICompatProvider against the scripted upstream: answers, streams, tool calls, every failure."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web

from benchroute.providers.base import ProviderError, Target
from benchroute.providers.client import UpstreamClient
from benchroute.providers.http import create_session
from benchroute.providers.openai_compat import OpenAICompatProvider
from benchroute.wire.canonical import (
    ChatRequest,
    Finish,
    Message,
    StreamError,
    StreamEvent,
    TextDelta,
    TextPart,
    Tool,
    ToolCallDelta,
    UsageReport,
)
from support.upstream import Script, ScriptedUpstream


def _request(text: str = "hello there", **kw: object) -> ChatRequest:
    return ChatRequest(model="auto", messages=[Message("user", [TextPart(text)])], **kw)  # type: ignore[arg-type]


def _provider(upstream: ScriptedUpstream, session: UpstreamClient, **kw: object) -> OpenAICompatProvider:
    return OpenAICompatProvider("up", upstream.openai_base_url, session, **kw)  # type: ignore[arg-type]


async def _collect(provider: OpenAICompatProvider, request: ChatRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(request, Target("m-1", catalog_id="up/m-1"))]


async def test_complete_returns_text_usage_and_catalog_id(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(text="hi!", prompt_tokens=12, completion_tokens=3, cached_tokens=8))
    response = await _provider(upstream, session).complete(_request(), Target("m-1", catalog_id="up/m-1"))
    assert response.message.text == "hi!"
    assert response.model == "up/m-1"
    assert response.finish_reason == "stop"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (12, 3)
    assert response.usage.cached_tokens == 8
    sent = upstream.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["model"] == "m-1"
    assert "stream" not in sent.body


async def test_key_from_target_overrides_provider_key(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    provider = _provider(upstream, session, api_key="sk-gateway", headers={"X-Extra": "1"})
    await provider.complete(_request(), Target("m"))
    await provider.complete(_request(), Target("m", api_key="sk-byok"))
    assert upstream.requests[0].headers["Authorization"] == "Bearer sk-gateway"
    assert upstream.requests[0].headers["X-Extra"] == "1"
    assert upstream.requests[1].headers["Authorization"] == "Bearer sk-byok"


async def test_no_key_sends_no_authorization(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    await _provider(upstream, session).complete(_request(), Target("m"))
    assert "Authorization" not in upstream.requests[0].headers


async def test_complete_tool_calls(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(Script(text="", tool_calls=[("read_file", '{"path": "a.py"}')]))
    request = _request(tools=[Tool("read_file")])
    response = await _provider(upstream, session).complete(request, Target("m"))
    assert response.finish_reason == "tool_calls"
    [call] = response.message.tool_calls
    assert (call.name, call.arguments) == ("read_file", '{"path": "a.py"}')
    assert upstream.requests[0].body["tools"][0]["function"]["name"] == "read_file"


async def test_stream_text_finish_and_usage(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(
        Script(text="streamed answer", chunks=5, prompt_tokens=20, completion_tokens=4, cached_tokens=16)
    )
    events = await _collect(_provider(upstream, session), _request())
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "streamed answer"
    assert len([e for e in events if isinstance(e, TextDelta)]) == 5
    assert Finish("stop") in events
    [usage] = [e.usage for e in events if isinstance(e, UsageReport)]
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens) == (20, 4, 16)
    body = upstream.requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_a_finished_stream_gives_its_connection_back(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    """A stream is released at its end marker, often before the body's chunked terminator has
    arrived; the connection waits for it and goes back to the pool instead of being closed, so
    streams in a row reuse one connection."""
    provider = _provider(upstream, session)
    for _ in range(3):
        upstream.add(Script(text="streamed answer", chunks=5, chunk_delay_ms=1))
        events = await _collect(provider, _request())
        assert Finish("stop") in events
        deadline = asyncio.get_running_loop().time() + 5.0
        while session.idle_connections(upstream.openai_base_url) != 1:
            assert asyncio.get_running_loop().time() < deadline, "the connection never came back"
            await asyncio.sleep(0.005)


async def test_stream_tool_call_deltas(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(Script(text="", tool_calls=[("run", '{"cmd": "ls -la"}')]))
    events = await _collect(_provider(upstream, session), _request())
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert deltas[0].name == "run" and deltas[0].id
    assert "".join(d.arguments for d in deltas) == '{"cmd": "ls -la"}'
    assert Finish("tool_calls") in events


@pytest.mark.parametrize(
    ("status", "kind"),
    [(429, "rate_limit"), (500, "server"), (502, "server"), (401, "auth"), (403, "auth"), (400, "client")],
)
async def test_error_status_raises(
    upstream: ScriptedUpstream, session: UpstreamClient, status: int, kind: str
) -> None:
    provider = _provider(upstream, session, api_key="sk-secret-key-123")
    upstream.add(Script(status=status, error_message="bad thing sk-secret-key-123", retry_after="3"))
    with pytest.raises(ProviderError) as info:
        await provider.complete(_request(), Target("m"))
    assert info.value.kind == kind
    assert "bad thing" in info.value.message
    assert "sk-secret-key-123" not in str(info.value)
    if kind == "rate_limit":
        assert info.value.retry_after == 3.0
    # the same failure when streaming raises before any event
    upstream.add(Script(status=status))
    with pytest.raises(ProviderError) as info:
        await _collect(provider, _request())
    assert info.value.kind == kind


async def test_rate_limit_burst_then_success(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.rate_limit_burst = 2
    provider = _provider(upstream, session)
    for _ in range(2):
        with pytest.raises(ProviderError) as info:
            await provider.complete(_request(), Target("m"))
        assert info.value.kind == "rate_limit" and info.value.retryable
    assert (await provider.complete(_request("again"), Target("m"))).message.text == "echo: again"


async def test_non_json_body_is_protocol_error(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(Script(raw_body=b"<html>gateway page</html>"))
    with pytest.raises(ProviderError) as info:
        await _provider(upstream, session).complete(_request(), Target("m"))
    assert info.value.kind == "protocol"
    assert not info.value.retryable


async def test_non_json_body_echoing_the_key_is_quoted_redacted(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    # a misconfigured proxy that echoes the request's Authorization header in an HTML page
    upstream.add(Script(raw_body=b"<html>bad auth: Bearer sk-live-secret-123</html>"))
    provider = _provider(upstream, session, api_key="sk-live-secret-123")
    with pytest.raises(ProviderError) as info:
        await provider.complete(_request(), Target("m"))
    assert info.value.kind == "protocol"
    assert "sk-live-secret-123" not in str(info.value) and "[redacted]" in str(info.value)


async def test_json_without_choices_is_protocol_error(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(raw_body=b'{"unexpected": true}'))
    with pytest.raises(ProviderError) as info:
        await _provider(upstream, session).complete(_request(), Target("m"))
    assert info.value.kind == "protocol"


async def test_mid_stream_reset_yields_stream_error(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(text="a long answer here", chunks=6, reset_after=3))
    events = await _collect(_provider(upstream, session), _request())
    assert isinstance(events[0], TextDelta)
    assert isinstance(events[-1], StreamError)
    assert not any(isinstance(e, Finish) for e in events)


async def test_reset_before_first_event_raises(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(Script(text="x", reset_after=0))
    with pytest.raises(ProviderError) as info:
        await _collect(_provider(upstream, session), _request())
    assert info.value.retryable


async def test_garbage_chunk_mid_stream_yields_stream_error(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(text="some text", chunks=3, garbage_after=2))
    events = await _collect(_provider(upstream, session), _request())
    assert isinstance(events[0], TextDelta)
    assert isinstance(events[-1], StreamError)
    assert "malformed" in events[-1].message


async def test_garbage_first_chunk_raises_protocol(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(text="t", garbage_after=0))
    with pytest.raises(ProviderError) as info:
        await _collect(_provider(upstream, session), _request())
    assert info.value.kind == "protocol"


async def test_eof_without_finish_or_done_is_truncated(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(text="cut off", chunks=2, no_done=True))
    events = await _collect(_provider(upstream, session), _request())
    assert [type(e) for e in events] == [TextDelta, TextDelta, StreamError]
    assert isinstance(events[-1], StreamError) and events[-1].kind == "truncated"


async def test_read_timeout_before_headers(upstream: ScriptedUpstream) -> None:
    upstream.add(Script(delay_ms=1000))
    async with create_session(read_timeout=0.1) as session:
        with pytest.raises(ProviderError) as info:
            await _provider(upstream, session).complete(_request(), Target("m"))
    assert info.value.kind == "timeout" and info.value.retryable


async def test_provider_timeout_setting_overrides_session(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(hang=True))
    with pytest.raises(ProviderError) as info:
        await _collect(_provider(upstream, session, timeout=0.1), _request())
    assert info.value.kind == "timeout"


async def test_silence_mid_stream_times_out_as_stream_error(upstream: ScriptedUpstream) -> None:
    upstream.add(Script(text="slow words", chunks=3, stall_after=2))
    async with create_session(read_timeout=0.15) as session:
        events = await _collect(_provider(upstream, session), _request())
    assert isinstance(events[0], TextDelta)
    assert isinstance(events[-1], StreamError) and events[-1].kind == "timeout"


async def test_connection_refused_is_connect_error(session: UpstreamClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = OpenAICompatProvider("gone", f"http://127.0.0.1:{port}/v1", session)
    with pytest.raises(ProviderError) as info:
        await provider.complete(_request(), Target("m"))
    assert info.value.kind == "connect" and info.value.retryable
    with pytest.raises(ProviderError):
        await _collect(provider, _request())


async def test_list_models(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    assert await _provider(upstream, session).list_models() == ["scripted-small", "scripted-large"]


async def test_client_abandoning_stream_releases_connection(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    provider = _provider(upstream, session)
    upstream.add(Script(text="0123456789", chunks=10))
    stream = provider.stream(_request(), Target("m"))
    async for _ in stream:
        break
    await stream.aclose()  # type: ignore[attr-defined]
    # the pool still works afterwards
    assert (await provider.complete(_request("next"), Target("m"))).message.text == "echo: next"


async def test_max_tokens_field_name(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    request = _request(max_tokens=64)
    await _provider(upstream, session).complete(request, Target("m"))
    await _provider(upstream, session, max_tokens_key="max_completion_tokens").complete(request, Target("o3"))
    assert upstream.requests[0].body["max_tokens"] == 64
    assert upstream.requests[1].body["max_completion_tokens"] == 64
    assert "max_tokens" not in upstream.requests[1].body


async def test_provider_headers_do_not_duplicate_content_type(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    provider = _provider(upstream, session, headers={"content-type": "application/json; charset=utf-8"})
    await provider.complete(_request(), Target("m"))
    assert upstream.requests[0].headers["Content-Type"] == "application/json; charset=utf-8"


async def test_stream_with_only_done_raises(session: UpstreamClient) -> None:
    """An upstream answering just `data: [DONE]`: nothing reached the client, so it may fail over."""

    async def done_only(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b"data: [DONE]\n\n")
        return resp

    app = web.Application()
    app.router.add_post("/v1/chat/completions", done_only)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        provider = OpenAICompatProvider("bare", f"http://127.0.0.1:{port}/v1", session)
        with pytest.raises(ProviderError) as info:
            await _collect(provider, _request())
        assert info.value.kind == "server"
    finally:
        await runner.cleanup()
