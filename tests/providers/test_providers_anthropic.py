"""AnthropicProvider against the scripted upstream's /v1/messages."""

from __future__ import annotations

import pytest

from benchroute.providers.anthropic import AnthropicProvider
from benchroute.providers.base import ProviderError, Target
from benchroute.providers.client import UpstreamClient
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


def _request(text: str = "hi") -> ChatRequest:
    return ChatRequest(
        model="auto",
        messages=[Message("system", [TextPart("be brief")]), Message("user", [TextPart(text)])],
        max_tokens=256,
    )


def _provider(upstream: ScriptedUpstream, session: UpstreamClient, **kw: object) -> AnthropicProvider:
    return AnthropicProvider("anthropic", upstream.url, session, api_key="sk-ant-gateway", **kw)  # type: ignore[arg-type]


async def _collect(provider: AnthropicProvider, request: ChatRequest) -> list[StreamEvent]:
    return [e async for e in provider.stream(request, Target("claude-x"))]


async def test_complete_sends_messages_body_and_headers(
    upstream: ScriptedUpstream, session: UpstreamClient
) -> None:
    upstream.add(Script(text="hello", prompt_tokens=100, completion_tokens=5, cached_tokens=60))
    response = await _provider(upstream, session).complete(_request(), Target("claude-x", catalog_id="a/c"))
    assert response.message.text == "hello"
    assert response.model == "a/c"
    assert response.usage.prompt_tokens == 100
    assert response.usage.cached_tokens == 60
    seen = upstream.requests[0]
    assert seen.path == "/v1/messages"
    assert seen.headers["x-api-key"] == "sk-ant-gateway"
    assert seen.headers["anthropic-version"] == "2023-06-01"
    assert "Authorization" not in seen.headers
    assert seen.body["system"] == "be brief"
    assert seen.body["max_tokens"] == 256
    assert "stream" not in seen.body


async def test_byok_key_and_v1_base_url(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    provider = AnthropicProvider("anthropic", f"{upstream.url}/v1", session)
    await provider.complete(_request(), Target("claude-x", api_key="sk-ant-user"))
    assert upstream.requests[0].headers["x-api-key"] == "sk-ant-user"


async def test_complete_tool_use(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(Script(text="", tool_calls=[("grep", '{"pattern": "TODO"}')]))
    request = _request()
    request.tools = [Tool("grep", "search")]
    response = await _provider(upstream, session).complete(request, Target("claude-x"))
    assert response.finish_reason == "tool_calls"
    [call] = response.message.tool_calls
    assert call.name == "grep"
    assert call.arguments.replace(" ", "") == '{"pattern":"TODO"}'
    assert upstream.requests[0].body["tools"][0]["name"] == "grep"


async def test_stream_text_usage_finish(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(
        Script(text="streaming reply", chunks=3, prompt_tokens=40, completion_tokens=6, cached_tokens=10)
    )
    events = await _collect(_provider(upstream, session), _request())
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "streaming reply"
    assert Finish("stop") in events
    usage = [e.usage for e in events if isinstance(e, UsageReport)][-1]
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens) == (40, 6, 10)
    assert upstream.requests[0].body["stream"] is True


async def test_stream_tool_use(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    upstream.add(Script(text="", tool_calls=[("edit", '{"file": "a"}')]))
    events = await _collect(_provider(upstream, session), _request())
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert deltas[0].name == "edit"
    assert "".join(d.arguments for d in deltas).replace(" ", "") == '{"file":"a"}'
    assert Finish("tool_calls") in events


@pytest.mark.parametrize(
    ("status", "kind"), [(429, "rate_limit"), (529, "server"), (401, "auth"), (400, "client")]
)
async def test_errors(upstream: ScriptedUpstream, session: UpstreamClient, status: int, kind: str) -> None:
    upstream.add(Script(status=status, error_message="nope"))
    with pytest.raises(ProviderError) as info:
        await _provider(upstream, session).complete(_request(), Target("claude-x"))
    assert info.value.kind == kind
    assert "nope" in info.value.message


async def test_mid_stream_reset_and_truncation(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    provider = _provider(upstream, session)
    upstream.add(Script(text="abcdefgh", chunks=4, reset_after=4))
    events = await _collect(provider, _request())
    assert isinstance(events[0], TextDelta) and isinstance(events[-1], StreamError)
    upstream.add(Script(text="abcdefgh", chunks=4, no_done=True))
    events = await _collect(provider, _request())
    assert isinstance(events[-1], StreamError) and events[-1].kind == "truncated"


async def test_list_models(upstream: ScriptedUpstream, session: UpstreamClient) -> None:
    assert await _provider(upstream, session).list_models() == upstream.models
    assert upstream.requests[0].path == "/v1/models"
