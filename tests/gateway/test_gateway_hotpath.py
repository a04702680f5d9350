"""The hot path's write batching: SSE events ready together go out in one send, a response's head
goes out with its body, and the step-by-step iteration the relay uses behaves like `await`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from gateway_harness import GatewayFactory, user

from benchroute.gateway.pipeline import ready_or_suspended, resume
from benchroute.gateway.server import HeadCoalescingTransport
from benchroute.providers.base import Target
from benchroute.wire.canonical import ChatRequest, ChatResponse, Finish, StreamEvent, TextDelta

# ---- ready_or_suspended / resume ------------------------------------------------------------


async def _next(it: AsyncIterator[Any]) -> tuple[bool, Any]:
    """(was it ready without waiting, the next item) the way the relay takes it."""
    step = it.__anext__()
    try:
        suspended = ready_or_suspended(step)
    except StopIteration as ready:
        return True, ready.value
    return False, await resume(step, suspended)


async def test_ready_items_are_taken_without_waiting_and_waits_resume() -> None:
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def source() -> AsyncIterator[str]:
        yield "a"
        yield "b"
        yield await gate
        await asyncio.sleep(0)  # a bare yield to the loop
        yield "d"

    it = source()
    assert await _next(it) == (True, "a")
    assert await _next(it) == (True, "b")
    asyncio.get_running_loop().call_later(0.01, gate.set_result, "c")
    assert await _next(it) == (False, "c")
    assert await _next(it) == (False, "d")
    with pytest.raises(StopAsyncIteration):
        await _next(it)


async def test_resume_passes_failures_through_and_cancellation_into_the_source() -> None:
    failing: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def broken() -> AsyncIterator[str]:
        yield await failing

    it = broken()
    asyncio.get_running_loop().call_soon(failing.set_exception, ValueError("upstream broke"))
    with pytest.raises(ValueError, match="upstream broke"):
        await _next(it)

    closed = asyncio.Event()

    async def silent() -> AsyncIterator[str]:
        try:
            await asyncio.sleep(10)
            yield "never"
        finally:
            closed.set()

    task = asyncio.ensure_future(_next(silent()))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed.is_set()  # the cancellation reached the source's own await


# ---- the relay: one send for events that arrived together ------------------------------------


class BurstProvider:
    """Streams `count` text deltas at once, then finishes."""

    name = "fb"

    def __init__(self, count: int) -> None:
        self.count = count

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        raise NotImplementedError

    async def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]:
        for i in range(self.count):
            yield TextDelta(f"t{i} ")
        yield Finish("stop")

    async def list_models(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None


async def _raw_chunks(port: int, key: str, body: dict[str, Any]) -> tuple[bytes, list[bytes]]:
    """POST over a raw socket; the response head and its HTTP/1.1 chunks as sent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = orjson.dumps(body)
    writer.write(
        b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"authorization: Bearer %s\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
        % (key.encode(), len(payload), payload)
    )
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    chunks = []
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2 :]
    return head, chunks


async def test_events_ready_together_go_out_in_one_send(gateway: GatewayFactory) -> None:
    gw = await gateway(providers={"fb": BurstProvider(30)})
    port = int(gw.client.base_url.rsplit(":", 1)[1])
    head, chunks = await _raw_chunks(port, gw.key, {"model": "fake/b", "messages": user(), "stream": True})
    assert head.startswith(b"HTTP/1.1 200")
    # the first event went out when the stream opened; the other 29, the finish and [DONE] together
    assert len(chunks) <= 2
    events = b"".join(chunks).split(b"\n\n")
    payloads = [orjson.loads(e[6:]) for e in events if e.startswith(b"data: {")]
    text = "".join(p["choices"][0]["delta"].get("content", "") for p in payloads)
    assert text == "".join(f"t{i} " for i in range(30))
    assert events[-2] == b"data: [DONE]"


# ---- the response head rides with the body ---------------------------------------------------


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


async def test_head_is_joined_with_the_next_write() -> None:
    raw = RecordingTransport()
    t = HeadCoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    t.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert raw.writes == []
    t.write(b"body")
    t.write(b"more")
    assert raw.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"more"]
    await asyncio.sleep(0)  # the scheduled flush finds nothing left
    assert raw.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"more"]
    assert t.get_extra_info("peername") == "info:peername"


async def test_a_lone_head_goes_out_at_the_next_loop_turn_and_before_close() -> None:
    raw = RecordingTransport()
    t = HeadCoalescingTransport(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
    t.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    await asyncio.sleep(0)
    assert raw.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    t.write(b"HTTP/1.1 204 No Content\r\n\r\n")
    t.close()
    assert raw.writes[-1] == b"HTTP/1.1 204 No Content\r\n\r\n" and raw.closed
    t.write(b"HTTP/1.1 200 OK\r\n\r\n")
    await asyncio.sleep(0)  # a closed transport gets nothing more
    assert len(raw.writes) == 2
    t.abort()
    assert raw.aborted
