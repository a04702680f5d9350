"""Graceful shutdown: a stream in flight finishes, and its usage record is flushed to the store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
from gateway_harness import MODELS

from benchroute.app import create_app
from benchroute.catalog.model import Catalog
from benchroute.gateway.server import InLoopServer
from benchroute.providers.base import Target
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings
from benchroute.store.memory import MemoryStore
from benchroute.wire.canonical import (
    ChatRequest,
    ChatResponse,
    Finish,
    StreamEvent,
    TextDelta,
    Usage,
    UsageReport,
)


class TenSlowDeltas:
    name = "fb"

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        raise NotImplementedError

    async def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]:
        for i in range(10):
            yield TextDelta(str(i))
            await asyncio.sleep(0.05)
        yield Finish("stop")
        yield UsageReport(Usage(prompt_tokens=5, completion_tokens=10))

    async def list_models(self) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None


async def test_shutdown_lets_the_stream_finish_and_flushes_usage() -> None:
    settings = Settings(server={"auth": "none", "discover_local": False}, store={"url": "memory://"})
    store = MemoryStore()
    catalog = Catalog(MODELS)
    app = create_app(
        settings,
        store=store,
        providers={"fb": TenSlowDeltas()},
        catalog=catalog,
        engine=StaticRouter(catalog, settings.tiers),
    )
    server = InLoopServer(app)
    await server.start()
    body = {"model": "fake/b", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    async with aiohttp.ClientSession() as session:
        async with session.post(server.base_url + "/v1/chat/completions", json=body) as resp:
            first = await resp.content.readany()
            assert b'"content":"0"' in first
            stopping = asyncio.ensure_future(server.stop())  # shutdown while the stream runs
            rest = await resp.read()
    await stopping
    text = (first + rest).decode()
    assert "".join(c for c in "0123456789" if f'"content":"{c}"' in text) == "0123456789"
    assert text.endswith("data: [DONE]\n\n")
    [record] = await store.list_usage(project=None)
    assert record.status == 200 and record.completion_tokens == 10
