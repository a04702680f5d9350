"""Harness for the leaderboard tests: the real gateway app in this loop, with a Router over two fake
models whose routing depends on the leaderboard, a MemoryStore, and an admin and a project key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from benchroute.app import create_app
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.gateway.server import InLoopServer
from benchroute.gateway.state import GatewayState
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.providers.fake import FakeProvider
from benchroute.routing.base import RoutingEngine
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings, TierSettings
from benchroute.store.base import BenchResult
from benchroute.store.memory import MemoryStore

CELL = "implement:medium"
CATALOG = Catalog(
    [
        ModelInfo(
            id="fake/cheap",
            provider="fc",
            upstream_id="cheap",
            input_price=0.1,
            output_price=0.4,
            context=128000,
        ),
        ModelInfo(
            id="fake/strong",
            provider="fs",
            upstream_id="strong",
            input_price=3,
            output_price=15,
            context=128000,
        ),
    ]
)
# The base the router starts with: the cheap model is weak on the one cell every request falls in.
BASE = Snapshot.from_stats(
    [
        CellStats("fake/cheap", CELL, 40, 8, sources=("base",)),
        CellStats("fake/strong", CELL, 40, 36, sources=("base",)),
    ],
    description="test base",
)
TIERS = TierSettings(
    balanced={"chat": "fake/strong", "messages": "fake/strong", "responses": "fake/strong"},
    frontier={"reasoning": "fake/strong", "implementation": "fake/strong"},
    default="fake/strong",
)
ADMIN_KEY = "br-admin-leaderboard-test"


def router() -> Router:
    return Router(CATALOG, BASE, FakeClassifier.fixed({CELL: 1.0}, 0.9), TIERS)


def result(task: int, *, passed: bool, model: str = "fake/cheap", cell: str = CELL, **kw: Any) -> BenchResult:
    task_type, _, difficulty = cell.partition(":")
    fields: dict[str, Any] = {
        "run_id": "r1",
        "suite": "smoke",
        "task_id": f"t{task}",
        "model": model,
        "provider": "fc",
        "task_type": task_type,
        "difficulty": difficulty,
        "score": float(passed),
        "passed": passed,
        "prompt_tokens": 100,
        "completion_tokens": 50,
        "cost_usd": 0.0001,
        "latency_ms": 120.0,
        "time": datetime(2026, 11, 1, 12, task % 60, tzinfo=UTC),
    }
    fields.update(kw)
    return BenchResult(**fields)


@dataclass
class Live:
    base_url: str
    http: aiohttp.ClientSession
    state: GatewayState
    store: MemoryStore
    key: str  # a project key (not admin)
    app_state: Any  # the Starlette app's state (`leaderboard` is the LeaderboardSource)
    paths: frozenset[str]  # the app's top-level route paths

    async def get(self, path: str, **params: str) -> tuple[int, Any]:
        async with self.http.get(self.base_url + path, params=params) as resp:
            body = await resp.read()
            return resp.status, (await resp.json() if resp.content_type == "application/json" else body)

    async def refresh(self, key: str = ADMIN_KEY) -> tuple[int, Any]:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        async with self.http.post(self.base_url + "/v1/leaderboard/refresh", headers=headers) as resp:
            return resp.status, await resp.json()

    async def get_decisions(self) -> tuple[int, Any]:
        assert await self.state.inflight.wait_idle(5)  # the handler logs after the response is out
        headers = {"authorization": f"Bearer {self.key}"}
        async with self.http.get(self.base_url + "/v1/decisions", headers=headers) as resp:
            return resp.status, (await resp.json())["data"]

    async def preview(self, text: str) -> Any:
        """POST /v1/route: the Decision for a request, nothing called."""
        body = {"model": "auto", "messages": [{"role": "user", "content": text}]}
        headers = {"authorization": f"Bearer {self.key}"}
        async with self.http.post(self.base_url + "/v1/route", json=body, headers=headers) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    async def routed_model(self, text: str, session: str) -> str:
        body = {"model": "auto", "messages": [{"role": "user", "content": text}]}
        headers = {"authorization": f"Bearer {self.key}", "x-session-id": session}
        async with self.http.post(self.base_url + "/v1/chat/completions", json=body, headers=headers) as resp:
            assert resp.status == 200, await resp.text()
            return str((await resp.json())["model"])


@asynccontextmanager
async def live_gateway(*, engine: RoutingEngine | None = None, **server: Any) -> AsyncIterator[Live]:
    settings = Settings(
        server={"discover_local": False, "admin_key": ADMIN_KEY, **server},
        tiers=TIERS,
        store={"url": "memory://"},
    )
    store = MemoryStore()
    await store.start()
    _, key = await store.create_key("default", name="test")
    app = create_app(
        settings,
        store=store,
        providers={"fc": FakeProvider("fc"), "fs": FakeProvider("fs")},
        engine=engine or router(),
        catalog=CATALOG,
    )
    server_ = InLoopServer(app)
    await server_.start()
    try:
        async with aiohttp.ClientSession() as http:
            paths = frozenset(str(getattr(r, "path", "")) for r in app.routes)
            yield Live(server_.base_url, http, app.state.gateway, store, key, app.state, paths)
    finally:
        await server_.stop()


def static_engine() -> StaticRouter:
    return StaticRouter(CATALOG, TIERS)
