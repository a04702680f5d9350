"""Heavy requests through a real socket: `/v1/route` admits `server.route_concurrency` requests of a
project at once (one more is a 429, other projects are unaffected); a body with more messages than
the parser's cost bound is a 413 in the dialect's shape before it is parsed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from reliability_harness import static_gateway

from benchroute.settings import Settings
from support.upstream import ScriptedUpstream

pytestmark = pytest.mark.slow


@dataclass
class Running:
    url: str
    port: int
    keys: dict[str, str]


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Running]:
    async with ScriptedUpstream() as upstream:
        settings = Settings(
            data_dir=tmp_path,
            server={"discover_local": False, "route_concurrency": 1, "body_timeout": 30.0},
            store={"url": f"sqlite:///{tmp_path / 'heavy.db'}"},
            providers={"up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "k"}},
            models=[{"id": "up/ok", "provider": "up", "upstream_id": "ok"}],
            tiers={"default": "up/ok"},
            projects={"a": {}, "b": {}},
        )
        async with static_gateway(settings) as gw:
            keys = {p: (await gw.state.store.create_key(p, name=p))[1] for p in ("a", "b")}
            port = int(gw.base_url.rsplit(":", 1)[1])
            yield Running(gw.base_url, port, keys)


BODY = json.dumps({"model": "up/ok", "messages": [{"role": "user", "content": "hi"}]}).encode()


async def _route(
    run: Running, project: str, body: bytes = BODY, path: str = "/v1/route"
) -> aiohttp.ClientResponse:
    headers = {"authorization": f"Bearer {run.keys[project]}", "content-type": "application/json"}
    async with aiohttp.ClientSession() as http, http.post(run.url + path, data=body, headers=headers) as r:
        await r.read()
        return r


async def test_route_previews_beyond_the_project_limit_are_429(gateway: Running) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
    head = (
        f"POST /v1/route HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {gateway.keys['a']}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(BODY)}\r\n\r\n"
    ).encode()
    writer.write(head + BODY[:10])  # holds project a's one slot while its body is incomplete
    await writer.drain()
    try:
        for _ in range(100):  # until the held request is inside the gate
            second = await _route(gateway, "a")
            if second.status == 429:
                break
            await asyncio.sleep(0.05)
        assert second.status == 429 and second.headers["retry-after"] == "1"
        assert (await _route(gateway, "b")).status == 200  # another project is not affected
        writer.write(BODY[10:])
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
        assert status_line.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
    assert (await _route(gateway, "a")).status == 200  # the slot is free again


@pytest.mark.parametrize("path", ["/v1/route", "/v1/chat/completions", "/v1/messages"])
async def test_more_messages_than_the_cost_bound_is_413(gateway: Running, path: str) -> None:
    many = [{"role": "user", "content": "hi"}] * 10_001
    body = json.dumps({"model": "up/ok", "max_tokens": 5, "messages": many}).encode()
    r = await _route(gateway, "a", body, path)
    assert r.status == 413
