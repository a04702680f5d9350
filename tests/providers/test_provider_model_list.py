"""Model lists: both HTTP providers read `{"data": [{"id": ...}]}` through one helper, and a list
without `data` is a protocol error, not a crash or an empty list."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from benchroute.providers.anthropic import AnthropicProvider
from benchroute.providers.base import ProviderError
from benchroute.providers.http import create_session
from benchroute.providers.openai_compat import OpenAICompatProvider


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, dict[str, object]]]:
    doc: dict[str, object] = {}

    async def models(_: web.Request) -> web.Response:
        return web.json_response(doc)

    app = web.Application()
    app.router.add_get("/v1/models", models)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", doc
    await runner.cleanup()


async def test_both_providers_list_ids_and_reject_a_list_without_data(
    server: tuple[str, dict[str, object]],
) -> None:
    base, doc = server
    async with create_session() as session:
        providers = [
            OpenAICompatProvider("o", f"{base}/v1", session),
            AnthropicProvider("a", base, session, api_key="k"),
        ]
        doc["data"] = [{"id": "m1"}, {"id": "m2"}, {"object": "no id"}]
        for provider in providers:
            assert await provider.list_models() == ["m1", "m2"]
        doc.pop("data")
        for provider in providers:
            with pytest.raises(ProviderError) as info:
                await provider.list_models()
            assert info.value.kind == "protocol" and "no data list" in info.value.message
