"""The real gateway (uvicorn on loopback, SQLite store) in front of the scripted upstream, both on
an event loop in a background thread, so synchronous fuzzers (schemathesis, raw sockets) can
hammer it while the test checks it keeps answering."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchroute.app import create_app
from benchroute.catalog.loader import load_catalog
from benchroute.gateway.server import InLoopServer
from benchroute.gateway.state import GatewayState
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings
from support.upstream import ScriptedUpstream


@dataclass
class Served:
    base_url: str
    key: str
    state: GatewayState
    loop: asyncio.AbstractEventLoop


@contextmanager
def served(tmp: Path, **server: Any) -> Iterator[Served]:
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        stop = asyncio.Event()
        box["stop"] = stop
        try:
            async with ScriptedUpstream() as upstream:
                settings = Settings(
                    data_dir=tmp,
                    server={"discover_local": False, "max_body_bytes": 256 * 1024, **server},
                    store={"url": f"sqlite:///{tmp / 'fuzz.db'}"},
                    providers={
                        "up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "k"}
                    },
                    models=[
                        {
                            "id": "up/small",
                            "provider": "up",
                            "upstream_id": "s",
                            "input_price": 1.0,
                            "output_price": 2.0,
                        },
                    ],
                    tiers={"default": "up/small", "balanced": {"chat": "up/small"}},
                    projects={"default": {"allowed_models": ["up/*"]}},
                )
                catalog = load_catalog(settings)
                app = create_app(settings, catalog=catalog, engine=StaticRouter(catalog, settings.tiers))
                gateway = InLoopServer(app)
                await gateway.start()
                try:
                    state: GatewayState = app.state.gateway
                    _, key = await state.store.create_key("default", name="fuzz")
                    box["served"] = Served(gateway.base_url, key, state, asyncio.get_running_loop())
                    ready.set()
                    await stop.wait()
                finally:
                    await gateway.stop()
        except BaseException as exc:
            box["error"] = exc
            ready.set()
            raise

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    ready.wait(60)
    if "error" in box:
        raise RuntimeError("the gateway did not start") from box["error"]
    s: Served = box["served"]
    try:
        yield s
    finally:
        s.loop.call_soon_threadsafe(box["stop"].set)
        thread.join(30)
