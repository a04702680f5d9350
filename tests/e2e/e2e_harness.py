"""End-to-end harness: the real gateway (built from settings alone) under uvicorn on loopback,
in front of the scripted upstream, over a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai

from benchroute.app import create_app
from benchroute.catalog.loader import load_catalog
from benchroute.gateway.server import InLoopServer, free_socket
from benchroute.gateway.state import GatewayState
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings
from benchroute.store.base import UsageRecord
from support.upstream import ScriptedUpstream


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    sock = free_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@dataclass
class E2E:
    base_url: str
    key: str
    state: GatewayState
    upstream: ScriptedUpstream

    def client(self, **kw: Any) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url + "/v1", api_key=self.key, max_retries=0, **kw)

    async def usage(self) -> list[UsageRecord]:
        assert await self.state.inflight.wait_idle(5)
        await self.state.writer.flush()  # type: ignore[attr-defined]
        return sorted(await self.state.store.list_usage(project=None), key=lambda r: r.time)


def settings_for(tmp: Path, upstream: ScriptedUpstream, **server: Any) -> Settings:
    dead = f"http://127.0.0.1:{closed_port()}/v1"
    return Settings(
        data_dir=tmp,
        server={"discover_local": False, "retries": 1, **server},
        store={"url": f"sqlite:///{tmp / 'e2e.db'}"},
        providers={
            "up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "sk-upstream"},
            "dead": {"kind": "openai", "base_url": dead},
        },
        models=[
            {
                "id": "up/small",
                "provider": "up",
                "upstream_id": "scripted-small",
                "input_price": 1.0,
                "output_price": 4.0,
                "cache_read_price": 0.1,
            },
            {
                "id": "up/large",
                "provider": "up",
                "upstream_id": "scripted-large",
                "input_price": 5.0,
                "output_price": 20.0,
            },
            {"id": "dead/model", "provider": "dead", "upstream_id": "m"},
        ],
        tiers={"balanced": {"chat": "up/small"}, "default": "up/large"},
    )


@asynccontextmanager
async def serving(
    tmp: Path, *, upstream_kw: dict[str, Any] | None = None, **server: Any
) -> AsyncIterator[E2E]:
    async with ScriptedUpstream(**(upstream_kw or {})) as upstream:
        settings = settings_for(tmp, upstream, **server)
        # The static router makes the routing deterministic here (these tests are about the gateway,
        # not the routing policy); everything else is built from the settings by the lifespan.
        catalog = load_catalog(settings)
        app = create_app(settings, catalog=catalog, engine=StaticRouter(catalog, settings.tiers))
        gw = InLoopServer(app)
        await gw.start()
        try:
            state: GatewayState = app.state.gateway
            _, key = await state.store.create_key("default", name="e2e")
            yield E2E(gw.base_url, key, state, upstream)
        finally:
            await gw.stop()
