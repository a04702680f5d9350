"""Gateway test harness: the real app under uvicorn on loopback, over a MemoryStore and fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from benchroute.app import create_app
from benchroute.catalog.loader import load_catalog
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.gateway.app import build_engine
from benchroute.gateway.server import InLoopServer
from benchroute.gateway.state import GatewayState
from benchroute.providers.base import Provider
from benchroute.providers.fake import FakeProvider
from benchroute.routing.base import RoutingEngine
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings
from benchroute.store.memory import MemoryStore

MODELS = [
    ModelInfo(id="fake/a", provider="fa", upstream_id="a-up", input_price=1.0, output_price=2.0),
    ModelInfo(id="fake/b", provider="fb", upstream_id="b-up", input_price=0.5, output_price=1.0),
    ModelInfo(id="fake/c", provider="fc", upstream_id="c-up"),
]


@dataclass
class Resp:
    status_code: int
    headers: Any
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return orjson.loads(self.content)


class Client:
    """A tiny aiohttp client against the gateway on loopback."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = aiohttp.ClientSession()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Resp:
        data = orjson.dumps(json) if json is not None else content
        hdrs = {"content-type": "application/json", **(headers or {})}
        async with self.session.request(
            method, self.base_url + path, data=data, headers=hdrs, params=params
        ) as r:
            return Resp(r.status, r.headers, await r.read())

    async def post(self, path: str, **kw: Any) -> Resp:
        return await self.request("POST", path, **kw)

    async def get(self, path: str, **kw: Any) -> Resp:
        return await self.request("GET", path, **kw)

    async def aclose(self) -> None:
        await self.session.close()


@dataclass
class Gateway:
    client: Client
    state: GatewayState
    store: MemoryStore
    key: str
    providers: dict[str, FakeProvider]

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"authorization": f"Bearer {key or self.key}"}

    async def chat(self, body: dict[str, Any], **headers: str) -> Resp:
        return await self.client.post("/v1/chat/completions", json=body, headers={**self.auth(), **headers})

    async def records(self) -> list[Any]:
        # the response is out before the handler logs it: wait for the handler, then the writer
        assert await self.state.inflight.wait_idle(5)
        await self.state.writer.flush()  # type: ignore[attr-defined]
        return await self.store.list_usage(project=None)


GatewayFactory = Callable[..., Awaitable[Gateway]]


@asynccontextmanager
async def start_gateway() -> AsyncIterator[GatewayFactory]:
    """Yields a factory of gateways; stops them all on exit. `http="httptools"` serves a gateway
    with uvicorn's own protocol instead of the gateway's (`gateway.protocol`)."""
    stack: list[Any] = []

    async def make(
        *,
        engine: RoutingEngine | None = None,
        providers: dict[str, Provider] | None = None,
        http: str | None = None,
        **server: Any,
    ) -> Gateway:
        settings = Settings(
            server={"discover_local": False, **server},
            tiers={"default": "fake/a", "balanced": {"chat": "fake/a"}},
            store={"url": "memory://"},
            projects={"default": {}, "other": {}, "narrow": {"allowed_models": ["fake/b"]}},
        )
        store = MemoryStore()
        await store.start()
        _, key = await store.create_key("default", name="test")
        fakes = {"fa": FakeProvider("fa"), "fb": FakeProvider("fb"), "fc": FakeProvider("fc")}
        app = create_app(
            settings,
            store=store,
            providers=providers if providers is not None else dict(fakes),
            engine=engine or StaticRouter(Catalog(MODELS), settings.tiers),
            catalog=Catalog(MODELS),
        )
        server = InLoopServer(app, **({"http": http} if http else {}))
        await server.start()
        client = Client(server.base_url)
        stack.append((server, client))
        return Gateway(client, app.state.gateway, store, key, fakes)

    yield make
    for server, client in stack:
        await client.aclose()
        await server.stop()


Shipped = tuple[Client, str, GatewayState]


@asynccontextmanager
async def shipped_gateway(**extra: Any) -> AsyncIterator[Shipped]:
    """The shipped catalog with the real router and providers, built from settings (provider keys
    as the environment has them): yields a client, a gateway key and the gateway's state."""
    settings = Settings(server={"discover_local": False}, store={"url": "memory://"}, **extra)
    store = MemoryStore()
    await store.start()
    _, key = await store.create_key("default", name="test")
    catalog = load_catalog(settings)
    app = create_app(settings, store=store, catalog=catalog, engine=build_engine(settings, catalog))
    server = InLoopServer(app)
    await server.start()
    client = Client(server.base_url)
    try:
        yield client, key, app.state.gateway
    finally:
        await client.aclose()
        await server.stop()


def user(text: str = "hello") -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]
