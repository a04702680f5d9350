"""The hot path's write batching: SSE events that arrived together (one batch of an `EventStream`)
go out in one send, and a response's head goes out with its body (`gateway.cycle`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import orjson
import pytest
from gateway_harness import GatewayFactory, user
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE

from benchroute.gateway.cycle import NAME_BYTES, VALUE_BYTES, Cycle, DefaultHead, render_defaults
from benchroute.providers.base import Target
from benchroute.providers.streaming import EventStream
from benchroute.wire.canonical import ChatRequest, ChatResponse, Finish, StreamEvent, TextDelta

# ---- EventStream: batches as they arrived, events one by one --------------------------------


def _stream(*batches: list[StreamEvent], gate: asyncio.Future[None] | None = None) -> EventStream:
    async def source() -> AsyncGenerator[list[StreamEvent], None]:
        for i, batch in enumerate(batches):
            if gate is not None and i == len(batches) - 1:
                await gate
            yield batch

    return EventStream(source())


async def test_event_stream_gives_the_rest_of_a_batch_without_waiting() -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    events = _stream([TextDelta("a"), TextDelta("b"), TextDelta("c")], [Finish("stop")], gate=gate)
    assert not events.ready
    assert await anext(events) == TextDelta("a")  # the way failover takes the first event
    assert events.ready
    assert await events.batch() == [TextDelta("b"), TextDelta("c")]
    assert not events.ready
    asyncio.get_running_loop().call_soon(gate.set_result, None)
    assert await events.batch() == [Finish("stop")]
    with pytest.raises(StopAsyncIteration):
        await events.batch()


async def test_event_stream_of_a_plain_iterator_and_its_closing() -> None:
    closed = asyncio.Event()

    async def plain() -> AsyncIterator[StreamEvent]:
        try:
            yield TextDelta("x")
            await asyncio.sleep(10)
            yield TextDelta("never")
        finally:
            closed.set()

    events = EventStream.of(plain())
    assert EventStream.of(events) is events
    assert await events.batch() == [TextDelta("x")]
    waiting = asyncio.ensure_future(events.batch())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await events.aclose()
    assert closed.is_set()  # the cancellation and the close reached the source


# ---- the relay: one send for events that arrived together ------------------------------------


class BurstProvider:
    """Streams `count` text deltas and the finish in one batch (as one read of an upstream body)."""

    name = "fb"

    def __init__(self, count: int) -> None:
        self.count = count

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        raise NotImplementedError

    def stream(self, request: ChatRequest, target: Target) -> EventStream:
        events: list[StreamEvent] = [TextDelta(f"t{i} ") for i in range(self.count)]
        return _stream([*events, Finish("stop")])

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
    # the first event is held while the rest of its batch is there: all 30 and the finish go out in
    # one send, [DONE] when the stream is seen to end
    assert len(chunks) == 2 and chunks[1] == b"data: [DONE]\n\n"
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


class FakeConnection:
    """What a `Cycle` reads of its protocol."""

    def __init__(self, transport: RecordingTransport) -> None:
        self.transport = transport
        self.loop = asyncio.get_running_loop()
        self.flow = FlowControl(transport)  # type: ignore[arg-type]
        self.access_log = False
        self.default_headers: list[tuple[bytes, bytes]] = [(b"date", b"today")]
        self.done: list[Cycle] = []

    def default_head(self) -> DefaultHead:
        return render_defaults(self.default_headers)

    def response_done(self, cycle: Cycle) -> None:
        self.done.append(cycle)


def _cycle(method: str = "POST", keep_alive: bool = True) -> tuple[Cycle, FakeConnection]:
    conn = FakeConnection(RecordingTransport())
    return Cycle(conn, {"method": method}, keep_alive, False), conn  # type: ignore[arg-type]


async def test_a_response_with_a_length_leaves_in_one_write() -> None:
    cycle, conn = _cycle()
    await cycle.send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4")]})
    await asyncio.sleep(0)  # no flush is scheduled: the head waits for its body
    assert conn.transport.writes == []
    await cycle.send({"type": "http.response.body", "body": b"body"})
    assert conn.transport.writes == [b"HTTP/1.1 200 OK\r\ndate: today\r\ncontent-length: 4\r\n\r\nbody"]
    assert cycle.response_complete and conn.done == [cycle] and not conn.transport.closed


async def test_a_stream_head_goes_out_at_the_next_loop_turn_then_chunks() -> None:
    cycle, conn = _cycle()
    await cycle.send({"type": "http.response.start", "status": 200, "headers": []})
    assert conn.transport.writes == []
    await asyncio.sleep(0)  # nothing followed at once: the head goes out alone
    assert conn.transport.writes == [b"HTTP/1.1 200 OK\r\ndate: today\r\ntransfer-encoding: chunked\r\n\r\n"]
    await cycle.send({"type": "http.response.body", "body": b"data", "more_body": True})
    await cycle.send({"type": "http.response.body", "body": b""})
    assert conn.transport.writes[1:] == [b"4\r\ndata\r\n", b"0\r\n\r\n"]
    assert cycle.response_complete


async def test_a_stream_head_joins_a_body_sent_at_once_and_close_ends_the_connection() -> None:
    cycle, conn = _cycle(keep_alive=False)
    await cycle.send({"type": "http.response.start", "status": 200, "headers": []})
    await cycle.send({"type": "http.response.body", "body": b"x"})
    head = b"HTTP/1.1 200 OK\r\ndate: today\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n"
    assert conn.transport.writes == [head + b"1\r\nx\r\n0\r\n\r\n"]
    assert conn.transport.closed
    await asyncio.sleep(0)  # the scheduled flush finds nothing left
    assert len(conn.transport.writes) == 1


async def test_receive_hands_over_the_body_and_then_waits_for_a_disconnect() -> None:
    cycle, conn = _cycle()
    cycle.add_body(b"ab")
    cycle.add_body(b"cd")
    cycle.more_body = False
    assert await cycle.receive() == {"type": "http.request", "body": b"abcd", "more_body": False}
    listening = asyncio.ensure_future(cycle.receive())
    await asyncio.sleep(0)
    assert not listening.done()  # nothing more until the client leaves
    cycle.disconnected = True
    cycle.wake()
    assert await listening == {"type": "http.disconnect"}
    await cycle.send({"type": "http.response.start", "status": 200, "headers": []})  # dropped
    assert conn.transport.writes == []


async def test_an_app_that_fails_before_answering_gets_a_500_and_one_after_a_close() -> None:
    async def failing(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError("boom")

    cycle, conn = _cycle()
    await cycle.run(failing, {})
    assert conn.transport.writes[0].startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert conn.transport.writes[0].endswith(b"\r\n\r\nInternal Server Error")

    async def failing_late(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"9")]})
        raise ValueError("boom")

    cycle, conn = _cycle()
    await cycle.run(failing_late, {})
    assert conn.transport.writes == [b"HTTP/1.1 200 OK\r\ndate: today\r\ncontent-length: 9\r\n\r\n"]
    assert conn.transport.closed


async def test_head_requests_get_no_body_and_bad_headers_are_refused() -> None:
    cycle, conn = _cycle(method="HEAD")
    await cycle.send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
    await cycle.send({"type": "http.response.body", "body": b"hello"})
    assert conn.transport.writes == [b"HTTP/1.1 200 OK\r\ndate: today\r\ncontent-length: 5\r\n\r\n"]
    cycle, conn = _cycle()
    with pytest.raises(RuntimeError, match="header value"):
        await cycle.send({"type": "http.response.start", "status": 200, "headers": [(b"x", b"a\r\nb: c")]})


def test_the_header_checks_give_uvicorns_verdict_on_every_byte_value() -> None:
    for b in range(256):
        byte = bytes((b,))
        assert (byte.translate(None, NAME_BYTES) != b"") == (HEADER_RE.search(byte) is not None), b
        assert (byte.translate(None, VALUE_BYTES) != b"") == (HEADER_VALUE_RE.search(byte) is not None), b


async def test_a_bad_header_name_is_refused() -> None:
    cycle, _ = _cycle()
    with pytest.raises(RuntimeError, match="header name"):
        await cycle.send({"type": "http.response.start", "status": 200, "headers": [(b"a b", b"c")]})


@pytest.mark.parametrize(
    "defaults",
    [
        [(b"Server", b"uvicorn"), (b"date", b"today")],
        [(b"date", b"today"), (b"connection", b"close")],  # frames the connection: checked per response
        [(b"date", b"to\x01day")],  # invalid: refused per response, as before
    ],
)
async def test_default_headers_rendered_once_give_the_head_each_response_gave(
    defaults: list[tuple[bytes, bytes]],
) -> None:
    heads = []
    for rendered in (True, False):
        cycle, conn = _cycle()
        conn.default_headers = defaults
        if not rendered:  # the reference: every default header through the per-response loop
            conn.default_head = lambda: (b"", defaults)  # type: ignore[method-assign]
        try:
            head = [(b"content-length", b"2")]
            await cycle.send({"type": "http.response.start", "status": 200, "headers": head})
            await cycle.send({"type": "http.response.body", "body": b"ok"})
        except RuntimeError as exc:
            heads.append(str(exc))
        else:
            heads.append(conn.transport.writes[0].decode())
    assert heads[0] == heads[1]


def test_a_connection_renders_the_servers_current_default_headers() -> None:
    # uvicorn replaces `server_state.default_headers` each second (a new date): a kept-alive
    # connection follows it, rendering each list once
    from types import SimpleNamespace

    from benchroute.gateway.protocol import GatewayProtocol

    state = SimpleNamespace(default_headers=[(b"date", b"monday")])
    conn = SimpleNamespace(server_state=state, _defaults_of=None, _defaults=(b"", ()))
    first = GatewayProtocol.default_head(conn)  # type: ignore[arg-type]
    assert first == (b"date: monday\r\n", ()) and GatewayProtocol.default_head(conn) is first  # type: ignore[arg-type]
    state.default_headers = [(b"date", b"tuesday")]
    assert GatewayProtocol.default_head(conn) == (b"date: tuesday\r\n", ())  # type: ignore[arg-type]
