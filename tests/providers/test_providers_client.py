"""The upstream HTTP client against raw loopback servers: pooling, keep-alive, body framings,
gzip, stale connections, malformed answers, timeouts; under asyncio's loop and uvloop's."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
import uvloop

from benchroute.providers.client import MalformedResponse, UpstreamClient, UpstreamClosed
from benchroute.providers.client_request import request_head, split_url

# one connection: (reader, writer) -> None; it reads requests and writes raw answers
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[tuple[str, list[int]]]:
    """A loopback server; yields its base URL and the number of connections it accepted so far."""
    accepted = [0]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted[0] += 1
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", accepted
    finally:
        server.close()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length)


def answer(body: bytes, *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", "Content-Type: application/json", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def echo_forever(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        _, body = await read_request(reader)
        writer.write(answer(b'{"echo":' + (body or b"null") + b"}"))
        await writer.drain()


@pytest.fixture(params=["asyncio", "uvloop"])
def event_loop_policy(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoopPolicy:
    return uvloop.EventLoopPolicy() if request.param == "uvloop" else asyncio.DefaultEventLoopPolicy()


async def test_keeps_one_connection_alive_across_requests() -> None:
    async with raw_server(echo_forever) as (base, accepted), UpstreamClient() as client:
        for n in range(3):
            resp = await client.request("POST", f"{base}/v1/x", body=b"%d" % n, headers={})
            assert resp.status == 200 and resp.content_type == "application/json"
            assert await resp.read() == b'{"echo":%d}' % n
            resp.release()
            assert client.idle_connections(f"{base}/v1/x") == 1
        assert accepted[0] == 1


async def test_an_unfinished_answer_closes_its_connection() -> None:
    async def slow_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")  # the rest never comes
            await writer.drain()

    async with raw_server(slow_body) as (base, accepted), UpstreamClient() as client:
        for _ in range(2):
            resp = await client.request("POST", f"{base}/x", body=b"1", headers={})
            resp.release()  # not at its end: the connection cannot be reused
            assert client.idle_connections(f"{base}/x") == 0
        assert accepted[0] == 2


async def test_connection_close_answer_is_not_pooled() -> None:
    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"{}", "Connection: close"))
        await writer.drain()

    async with raw_server(once) as (base, _), UpstreamClient() as client:
        resp = await client.request("GET", f"{base}/m", headers={})
        assert await resp.read() == b"{}"
        resp.release()
        assert client.idle_connections(f"{base}/m") == 0


async def test_a_stale_pooled_connection_is_retried_once_on_a_new_one() -> None:
    async def one_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        _, body = await read_request(reader)
        writer.write(answer(body))
        await writer.drain()
        # the server drops the idle connection (its keep-alive ran out) without saying so

    async with raw_server(one_then_close) as (base, accepted), UpstreamClient() as client:
        for n in range(3):
            resp = await client.request("POST", f"{base}/x", body=b"%d" % n, headers={})
            assert await resp.read() == b"%d" % n
            resp.release()
        assert accepted[0] == 3


async def test_chunked_and_close_delimited_bodies_and_iteration() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for part in (b"data: 1\n\n", b"data: 2\n\n"):
            writer.write(b"%x\r\n%s\r\n" % (len(part), part))
            await writer.drain()
            await asyncio.sleep(0)
        writer.write(b"0\r\n\r\n")
        await read_request(reader)  # the same connection serves the next request: until close
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
        await writer.drain()

    async with raw_server(chunked) as (base, _), UpstreamClient() as client:
        resp = await client.request("POST", f"{base}/s", body=b"{}", headers={})
        assert resp.content_type == "text/event-stream"
        assert b"".join([chunk async for chunk in resp.iter_chunks()]) == b"data: 1\n\ndata: 2\n\n"
        resp.release()
        resp = await client.request("POST", f"{base}/s", body=b"{}", headers={})
        assert await resp.read() == b"until the end"
        resp.release()


async def test_gzip_body_is_decoded() -> None:
    packed = gzip.compress(b'{"a": 1}')

    async def gz(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(packed, "Content-Encoding: gzip"))
        await writer.drain()

    async with raw_server(gz) as (base, _), UpstreamClient() as client:
        resp = await client.request("GET", f"{base}/", headers={})
        assert await resp.read() == b'{"a": 1}'
        resp.release()


async def test_failures_are_oserrors_or_timeouts() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()

    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        await writer.drain()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.Event().wait()

    async with UpstreamClient(read_timeout=0.2) as client:
        async with raw_server(garbage) as (base, _):
            with pytest.raises(MalformedResponse):
                await client.request("GET", f"{base}/", headers={})
        async with raw_server(cut) as (base, _):
            resp = await client.request("GET", f"{base}/", headers={})
            with pytest.raises(UpstreamClosed):
                await resp.read()
        async with raw_server(silent) as (base, _):
            with pytest.raises(TimeoutError):
                await client.request("GET", f"{base}/", headers={})


async def test_a_kept_connection_times_out_each_silence_by_its_own_call() -> None:
    # the connection's one silence timer, armed for the first call's long timeout, is moved to a
    # later call's shorter one; a silence in the middle of a body counts from its last byte
    async def first_then_silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"{}"))
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome")
        await writer.drain()
        await asyncio.Event().wait()

    async with raw_server(first_then_silent) as (base, accepted), UpstreamClient(read_timeout=60) as client:
        resp = await client.request("GET", f"{base}/", headers={})
        assert await resp.read() == b"{}"
        resp.release()
        async with asyncio.timeout(5):  # (a guard: waiting for the 60 s timer fails it)
            resp = await client.request("GET", f"{base}/", b"", {}, 0.2)
            with pytest.raises(TimeoutError):
                await resp.read()
        assert accepted == [1]


def test_request_head_and_urls() -> None:
    url = split_url("https://api.example.com/v1/chat?x=1")
    assert (url.origin.host, url.origin.port, url.origin.tls, url.target) == (
        "api.example.com",
        443,
        True,
        "/v1/chat?x=1",
    )
    assert split_url("http://[::1]:8080").host_header == "[::1]:8080"
    head = request_head("POST", url, {"content-type": "a", "Content-Type": "b", "X-K": "v"}, 2).decode()
    assert head.startswith("POST /v1/chat?x=1 HTTP/1.1\r\nHost: api.example.com\r\n")
    assert (
        "Content-Type: b\r\n" in head
        and "content-type: a" not in head
        and head.endswith("Content-Length: 2\r\n\r\n")
    )
    with pytest.raises(ValueError):
        request_head("GET", url, {"X-K": "v\r\nInjected: 1"}, None)
    with pytest.raises(ValueError):
        split_url("ftp://example.com/")


async def test_a_kept_head_carries_each_requests_own_length() -> None:
    heads: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head, _ = await read_request(reader)
            heads.append(head)
            writer.write(answer(b"{}"))
            await writer.drain()

    headers = {"Content-Type": "application/json", "Authorization": "Bearer k"}
    async with raw_server(record) as (base, _), UpstreamClient() as client:
        for body in (b"{}", b'{"a": 1}', b""):
            response = await client.request("POST", f"{base}/v1/x", body=body, headers=headers)
            await response.read()
            response.release()
        response = await client.request("GET", f"{base}/v1/x", headers=headers)
        await response.read()
        response.release()
        with pytest.raises(ValueError):  # checked when the head is built, kept or not
            await client.request("GET", f"{base}/v1/x", headers={"X-K": "v\r\nInjected: 1"})
    url = split_url(f"{base}/v1/x")
    expected = [request_head("POST", url, headers, n) for n in (2, 8, 0)]
    assert heads == [*expected, request_head("GET", url, headers, None)]
