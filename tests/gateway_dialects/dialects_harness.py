"""Dialect test harness: the real gateway (built from settings) under uvicorn on loopback, in front
of the scripted upstream reached both as an OpenAI-compatible provider (`oai/*`) and as an
Anthropic provider (`ant/*`), over a real SQLite store. Also used by tests/clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from benchroute.app import create_app
from benchroute.catalog.loader import load_catalog
from benchroute.catalog.model import Catalog
from benchroute.gateway.server import InLoopServer
from benchroute.gateway.state import GatewayState
from benchroute.routing.base import RoutingEngine
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings
from benchroute.store.base import UsageRecord
from benchroute.wire.sse import parse_sse
from support.upstream import ScriptedUpstream

WEATHER_TOOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


@dataclass
class Served:
    base_url: str
    key: str
    state: GatewayState
    upstream: ScriptedUpstream

    async def usage(self) -> list[UsageRecord]:
        assert await self.state.inflight.wait_idle(10)
        await self.state.writer.flush()  # type: ignore[attr-defined]
        return sorted(await self.state.store.list_usage(project=None), key=lambda r: r.time)

    async def post(
        self, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        hdrs = {"content-type": "application/json", "authorization": f"Bearer {self.key}", **(headers or {})}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.base_url + path, data=orjson.dumps(body), headers=hdrs) as r,
        ):
            return r.status, {k.lower(): v for k, v in r.headers.items()}, await r.read()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        hdrs = {"authorization": f"Bearer {self.key}", **(headers or {})}
        async with aiohttp.ClientSession() as session, session.get(self.base_url + path, headers=hdrs) as r:
            return r.status, await r.read()


def dialect_settings(
    tmp: Path,
    upstream: ScriptedUpstream,
    *,
    providers: dict[str, Any] | None = None,
    models: list[dict[str, Any]] | None = None,
    default: str = "oai/small",
) -> Settings:
    return Settings(
        data_dir=tmp,
        server={"discover_local": False, "retries": 0},
        store={"url": f"sqlite:///{tmp / 'dialects.db'}"},
        providers={
            "oai": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "sk-upstream"},
            "ant": {"kind": "anthropic", "base_url": upstream.url, "api_key": "sk-ant-upstream"},
            **(providers or {}),
        },
        models=[
            {
                "id": "oai/small",
                "provider": "oai",
                "upstream_id": "scripted-small",
                "input_price": 1.0,
                "output_price": 4.0,
                "context": 32768,
            },
            {
                "id": "ant/claude",
                "provider": "ant",
                "upstream_id": "scripted-claude",
                "input_price": 3.0,
                "output_price": 15.0,
                "apis": ["chat", "messages"],
            },
            *(models or []),
        ],
        tiers={"default": default},
    )


@asynccontextmanager
async def serving(
    tmp: Path, *, engine: Callable[[Catalog, Settings], RoutingEngine] | None = None, **settings_kw: Any
) -> AsyncIterator[Served]:
    """The gateway in front of a scripted upstream; `engine` builds the routing engine from the
    catalog and settings (default: the static router)."""
    async with ScriptedUpstream() as upstream:
        settings = dialect_settings(tmp, upstream, **settings_kw)
        catalog = load_catalog(settings)
        routing = engine(catalog, settings) if engine else StaticRouter(catalog, settings.tiers)
        app = create_app(settings, catalog=catalog, engine=routing)
        gw = InLoopServer(app)
        await gw.start()
        try:
            state: GatewayState = app.state.gateway
            _, key = await state.store.create_key("default", name="dialects")
            yield Served(gw.base_url, key, state, upstream)
        finally:
            await gw.stop()


def sse_events(raw: bytes) -> list[tuple[str | None, Any]]:
    """(event name, decoded data) of each SSE event (the one decoder, `wire.sse`); [DONE] skipped."""
    return [(e.event, orjson.loads(e.data)) for e in parse_sse(raw) if not e.done]
