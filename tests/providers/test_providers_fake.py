"""FakeProvider: scripted replies, recorded requests, errors, mid-stream failures."""

from __future__ import annotations

import pytest

from benchroute.providers.base import Provider, ProviderError, Target
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.wire.canonical import (
    ChatRequest,
    Finish,
    Message,
    StreamError,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageReport,
)


def _request(text: str) -> ChatRequest:
    return ChatRequest(model="auto", messages=[Message("user", [TextPart(text)])])


async def _collect(provider: FakeProvider, request: ChatRequest) -> list[StreamEvent]:
    return [e async for e in provider.stream(request, Target("m"))]


def test_fake_satisfies_the_protocol() -> None:
    assert isinstance(FakeProvider(), Provider)


async def test_scripted_replies_in_order_then_echo() -> None:
    fake = FakeProvider("f", ["first", Reply(text="second", usage=Usage(10, 2))])
    r1 = await fake.complete(_request("a"), Target("m1", catalog_id="f/m1"))
    r2 = await fake.complete(_request("b"), Target("m2"))
    r3 = await fake.complete(_request("c"), Target("m3"))
    assert [r1.message.text, r2.message.text, r3.message.text] == ["first", "second", "echo: c"]
    assert r1.model == "f/m1"
    assert r2.usage == Usage(10, 2)
    assert [t.upstream_model for _, t in fake.requests] == ["m1", "m2", "m3"]
    assert fake.calls == 3


async def test_errors_raise_before_anything() -> None:
    fake = FakeProvider("f", [ProviderError("rate_limit", "429", retry_after=1.0)])
    with pytest.raises(ProviderError) as info:
        await fake.complete(_request("x"), Target("m"))
    assert info.value.kind == "rate_limit"
    fake.add(ProviderError("server", "boom"))
    with pytest.raises(ProviderError):
        await _collect(fake, _request("x"))


async def test_stream_tool_calls_and_usage() -> None:
    call = ToolCall("c1", "edit", '{"file": "x"}')
    fake = FakeProvider("f", [Reply(text="ok go", chunks=2, tool_calls=[call], usage=Usage(5, 7))])
    events = await _collect(fake, _request("x"))
    assert events == [
        TextDelta("ok "),
        TextDelta("go"),
        ToolCallDelta(0, "c1", "edit", '{"file": "x"}'),
        Finish("tool_calls"),
        UsageReport(Usage(5, 7)),
    ]


async def test_mid_stream_failure() -> None:
    fake = FakeProvider("f", [Reply(text="abcdef", chunks=3, fail_after=2)])
    events = await _collect(fake, _request("x"))
    assert events[:2] == [TextDelta("ab"), TextDelta("cd")]
    assert isinstance(events[2], StreamError)
    assert len(events) == 3


async def test_list_models_and_close() -> None:
    fake = FakeProvider("f", models=["a", "b"])
    assert await fake.list_models() == ["a", "b"]
    await fake.aclose()
    assert fake.closed


async def test_delays() -> None:
    import time

    fake = FakeProvider("f", [Reply(text="abc", chunks=3, delay=0.05, chunk_delay=0.02)])
    start = time.perf_counter()
    events = await _collect(fake, _request("x"))
    assert time.perf_counter() - start >= 0.05 + 3 * 0.02
    assert len(events) == 5
