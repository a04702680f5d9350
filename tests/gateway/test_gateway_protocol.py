"""The gateway's own HTTP protocol (`gateway.protocol`) and the app under any other ASGI server
(uvicorn's httptools protocol): the same answers either way. Under the gateway's protocol the edge
enforces the body deadline and the app learns of disconnects from the request's cycle; elsewhere
`RequestGuard`, the catch-all's send tracking and a listener on `receive` do."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from gateway_harness import GatewayFactory, user

from benchroute.providers.base import Target
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.wire.canonical import ChatRequest, ChatResponse

PROTOCOLS = [None, "httptools"]  # None: the gateway's own


class Broken(FakeProvider):
    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        raise RuntimeError("a bug in a provider")


async def _raw(port: int, data: bytes) -> bytes:
    """Send `data` on a new connection and read until the server closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()


def _post(path: str, body: bytes, key: str, *, length: int | None = None, extra: str = "") -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        f"authorization: Bearer {key}\r\ncontent-length: {len(body) if length is None else length}\r\n"
        f"{extra}\r\n"
    )
    return head.encode() + body


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1].split("/", 1)[0])


@pytest.mark.parametrize("http", PROTOCOLS)
async def test_an_unexpected_error_is_a_500_with_an_id_in_the_clients_shape(
    gateway: GatewayFactory, http: str | None
) -> None:
    gw = await gateway(
        providers={"fa": FakeProvider("fa"), "fb": Broken("fb"), "fc": Broken("fc")}, http=http
    )
    r = await gw.chat({"model": "fake/b", "messages": user()})
    assert r.status_code == 500
    error = r.json()["error"]
    assert error["code"] == "internal_error" and r.headers["x-benchroute-error-id"] in error["message"]


@pytest.mark.parametrize("http", PROTOCOLS)
async def test_client_gone_before_a_non_streamed_answer_is_a_499(
    gateway: GatewayFactory, http: str | None
) -> None:
    gw = await gateway(http=http)
    gw.providers["fb"].add(Reply(text="too late", delay=30.0))
    body = orjson.dumps({"model": "fake/b", "messages": user()})
    _, writer = await asyncio.open_connection("127.0.0.1", _port(gw.client.base_url))
    writer.write(_post("/v1/chat/completions", body, gw.key))
    await writer.drain()
    async with asyncio.timeout(30):
        while gw.state.inflight.count == 0:  # noqa: ASYNC110  # polled: the request is under way
            await asyncio.sleep(0.01)
    writer.close()
    [rec] = await gw.records()  # waits for the request to finish: the 30 s call was abandoned
    assert rec.status == 499 and "disconnected" in (rec.error or "")


@pytest.mark.parametrize("http", PROTOCOLS)
async def test_a_body_not_complete_in_time_is_a_408_in_the_error_shape(
    gateway: GatewayFactory, http: str | None
) -> None:
    gw = await gateway(http=http, body_timeout=0.3)
    answer = await _raw(_port(gw.client.base_url), _post("/v1/messages", b"{", gw.key, length=100))
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    # Anthropic's shape on /messages (uvicorn's own protocol sends it chunked)
    assert b'{"type":"error","error":{"type":' in answer and b"request body too slow" in answer


@pytest.mark.parametrize("http", PROTOCOLS)
async def test_pipelined_requests_are_answered_in_order_on_one_connection(
    gateway: GatewayFactory, http: str | None
) -> None:
    gw = await gateway(http=http)
    for text in ("first", "second"):
        gw.providers["fa"].add(Reply(text=text))
    body = orjson.dumps({"model": "fake/a", "messages": user()})
    last = _post("/v1/chat/completions", body, gw.key, extra="connection: close\r\n")
    answer = await _raw(_port(gw.client.base_url), _post("/v1/chat/completions", body, gw.key) + last)
    responses = answer.split(b"HTTP/1.1 ")[1:]
    assert [r[:3] for r in responses] == [b"200", b"200"]
    texts = [orjson.loads(r.split(b"\r\n\r\n", 1)[1])["choices"][0]["message"]["content"] for r in responses]
    assert texts == ["first", "second"]
    assert b"content-length: " in responses[0] and b"connection: close" in responses[1]


async def test_expect_100_continue_gets_a_continue_before_the_answer(gateway: GatewayFactory) -> None:
    gw = await gateway()
    body = orjson.dumps({"model": "fake/a", "messages": user()})
    head = _post("/v1/chat/completions", b"", gw.key, length=len(body), extra="expect: 100-continue\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", _port(gw.client.base_url))
    try:
        writer.write(head)
        assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30) == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(body)
        status = await asyncio.wait_for(reader.readline(), 30)
        assert status.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()


async def test_a_get_answer_carries_its_length_and_the_date(gateway: GatewayFactory) -> None:
    gw = await gateway()
    port = _port(gw.client.base_url)
    answer = await _raw(port, b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200") and b"date: " in head
    lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.startswith(b"content-length")]
    assert lengths == [len(body)]


async def test_deadlines_move_with_each_request_on_a_kept_alive_connection(gateway: GatewayFactory) -> None:
    gw = await gateway(header_timeout=0.5, body_timeout=5.0)
    body = orjson.dumps({"model": "fake/a", "messages": user()})
    port = _port(gw.client.base_url)
    for then in (b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n", b""):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(3):  # served one after another: the body deadline never fires
                writer.write(_post("/v1/chat/completions", body, gw.key))
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                assert head.startswith(b"HTTP/1.1 200")
                length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
            writer.write(then)  # half a head, or nothing: the head deadline runs from the last answer
            rest = await asyncio.wait_for(reader.read(), 30)
        finally:
            writer.close()
        if then:
            assert rest.startswith(b"HTTP/1.1 408") and b"request head too slow" in rest, rest[:200]
        else:
            assert rest == b""  # an idle connection is closed without an answer


async def test_the_hot_post_paths_are_called_straight_and_the_rest_dispatched(
    gateway: GatewayFactory,
) -> None:
    from benchroute.gateway.app import create_gateway
    from benchroute.settings import Settings

    app = create_gateway(Settings(server={"discover_local": False}))
    chat = app.edge_endpoint("POST", "/v1/chat/completions")  # type: ignore[attr-defined]
    assert chat is not None and chat is app.post_paths["/v1/chat/completions"]  # type: ignore[attr-defined]
    assert app.edge_endpoint("GET", "/v1/chat/completions") is None  # type: ignore[attr-defined]
    assert app.edge_endpoint("POST", "/v1/route") is None  # type: ignore[attr-defined]
    # served through the gateway's protocol: the hot path answers, the router answers the rest
    gw = await gateway()
    assert (await gw.chat({"model": "fake/a", "messages": user()})).status_code == 200
    assert (await gw.client.get("/v1/chat/completions", headers=gw.auth())).status_code == 405
    assert (await gw.client.get("/v1/models", headers=gw.auth())).status_code == 200
    messages = {"model": "fake/a", "max_tokens": 16, "messages": user()}
    r = await gw.client.post("/v1/messages", json=messages, headers=gw.auth())
    assert r.status_code == 200 and r.json()["type"] == "message"
