"""Sessions through the real gateway on loopback: a Router over a small leaderboard, scripted
upstreams, and the session endpoint (caller's project only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest

from benchroute.app import create_app
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.gateway.server import InLoopServer
from benchroute.gateway.state import GatewayState
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.providers.base import ProviderError
from benchroute.providers.fake import FakeProvider
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import Settings, TierSettings
from benchroute.store.memory import MemoryStore

EASY = "Rename x to count."
HARD = "Write a lock-free queue."
PRICES = {"x/small": (0.1, 0.4), "x/mid": (0.5, 2.0), "x/big": (3.0, 15.0)}
EVIDENCE = [  # model, cell, trials, successes (400 trials: intervals narrow enough to prove)
    ("x/small", "implement:easy", 400, 360),
    ("x/small", "implement:hard", 400, 40),
    ("x/mid", "implement:easy", 400, 280),
    ("x/mid", "implement:hard", 400, 100),
    ("x/big", "implement:easy", 400, 380),
    ("x/big", "implement:hard", 400, 340),
]


def router() -> Router:
    catalog = Catalog(
        ModelInfo(id=m, provider=m.replace("x/", "p-"), upstream_id=m[2:], input_price=i, output_price=o)
        for m, (i, o) in PRICES.items()
    )
    snapshot = Snapshot.from_stats(
        CellStats(model=m, cell=c, trials=n, successes=k, sources=("test",)) for m, c, n, k in EVIDENCE
    )
    classifier = FakeClassifier(
        CellPrediction({"implement:easy": 1.0}, 0.9),
        by_prompt={HARD: CellPrediction({"implement:hard": 1.0}, 0.9)},
    )
    tiers = TierSettings(
        balanced={"chat": "x/mid"}, frontier={"reasoning": "x/big", "implementation": "x/big"}
    )
    return Router(catalog, snapshot, classifier, tiers)


class Gateway:
    def __init__(self, url: str, state: GatewayState, keys: dict[str, str], fakes: dict[str, FakeProvider]):
        self.url = url
        self.state = state
        self.keys = keys
        self.fakes = fakes
        self.http = aiohttp.ClientSession()

    async def call(
        self, method: str, path: str, key: str = "default", body: Any = None, **headers: str
    ) -> Any:
        hdrs = {"authorization": f"Bearer {self.keys[key]}", "content-type": "application/json", **headers}
        data = orjson.dumps(body) if body is not None else None
        async with self.http.request(method, self.url + path, data=data, headers=hdrs) as r:
            return r.status, orjson.loads(await r.read()), r.headers


@pytest.fixture
async def gw() -> AsyncIterator[Gateway]:
    engine = router()
    settings = Settings(
        server={"discover_local": False},
        tiers={"balanced": {"chat": "x/mid"}},
        store={"url": "memory://"},
        projects={"default": {}, "other": {}},
    )
    store = MemoryStore()
    await store.start()
    keys = {p: (await store.create_key(p, name=p))[1] for p in ("default", "other")}
    fakes = {f"p-{m[2:]}": FakeProvider(f"p-{m[2:]}") for m in PRICES}
    app = create_app(settings, store=store, providers=dict(fakes), engine=engine, catalog=engine.catalog)
    server = InLoopServer(app)
    await server.start()
    g = Gateway(server.base_url, app.state.gateway, keys, fakes)
    try:
        yield g
    finally:
        await g.http.close()
        await server.stop()


def msgs(*turns: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"role": r, "content": t} for r, t in turns]


async def test_session_routing_through_the_gateway(gw: Gateway) -> None:
    task = {"x-kilocode-taskid": "task-42"}
    convo = msgs(("user", EASY))
    status, body, headers = await gw.call(
        "POST", "/v1/chat/completions", body={"model": "auto", "messages": convo}, **task
    )
    assert status == 200 and headers["x-benchroute-model"] == "x/small"

    convo += msgs(("assistant", "done"), ("user", HARD))
    status, _, headers = await gw.call(
        "POST", "/v1/chat/completions", body={"model": "auto", "messages": convo}, **task
    )
    assert status == 200 and headers["x-benchroute-model"] == "x/big"  # escalated at once

    # A tool loop whose last user message is easy: the policy alone would pick x/small.
    convo += msgs(("assistant", "plan"), ("user", EASY))
    convo += [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "read", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "file contents"},
    ]  # fmt: skip
    status, _, headers = await gw.call(
        "POST", "/v1/chat/completions", body={"model": "auto", "messages": convo}, **task
    )
    assert status == 200 and headers["x-benchroute-model"] == "x/big"

    status, session, _ = await gw.call("GET", "/v1/sessions/task-42")
    assert status == 200
    assert session["model"] == "x/big" and session["turns"] == 3 and session["switches"] == 1
    assert [h["action"] for h in session["history"]] == ["new", "escalate", "stay"]
    decisions = session["decisions"]
    assert len(decisions) == 3
    newest = decisions[0]["decision"]
    assert newest["session_action"] == "stay" and newest["reason"] == "session_tool_loop"
    assert newest["session_key"] == "task-42" and "x/small" in newest["explanation"]

    status, body, _ = await gw.call("GET", "/v1/sessions/task-42", key="other")
    assert status == 404 and "no such session" in body["error"]["message"]  # another project sees nothing


async def test_failover_moves_the_session(gw: Gateway) -> None:
    task = {"x-kilocode-taskid": "task-fo"}
    convo = msgs(("user", HARD))
    down = ProviderError("server", "upstream down", status=503)
    gw.fakes["p-big"].add(down, down)  # the first try and its retry
    status, _, headers = await gw.call(
        "POST", "/v1/chat/completions", body={"model": "auto", "messages": convo}, **task
    )
    assert status == 200
    served = headers["x-benchroute-model"]
    assert served != "x/big"
    status, session, _ = await gw.call("GET", "/v1/sessions/task-fo")
    assert session["model"] == served
    assert session["history"][-1]["action"] == "forced_by_failure"
    assert session["decisions"][0]["decision"]["session_action"] == "forced_by_failure"


async def test_plain_client_gets_a_hashed_session(gw: Gateway) -> None:
    body: dict[str, Any] = {"model": "auto", "messages": msgs(("system", "be brief"), ("user", EASY))}
    _, _, first = await gw.call("POST", "/v1/chat/completions", body=body)
    body["messages"] += msgs(("assistant", "ok"), ("user", "and again"))
    _, _, second = await gw.call("POST", "/v1/chat/completions", body=body)
    keys = []
    for headers in (first, second):
        status, record, _ = await gw.call("GET", f"/v1/decisions/{headers['x-benchroute-decision-id']}")
        assert status == 200
        keys.append(record["session_key"])
    assert keys[0] == keys[1] and keys[0].startswith("h:")
    status, session, _ = await gw.call("GET", f"/v1/sessions/{keys[0]}")
    assert status == 200 and session["turns"] == 2 and len(session["decisions"]) == 2


async def test_a_failing_session_store_never_fails_a_request(gw: Gateway) -> None:
    from benchroute.sessions.redis import RedisSessionStore
    from benchroute.sessions.service import SessionRouter

    unreachable = RedisSessionStore.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert gw.state.sessions is not None
    gw.state.sessions = SessionRouter(unreachable, catalog=gw.state.catalog)
    try:
        body = {"model": "auto", "messages": msgs(("user", HARD))}
        status, _, headers = await gw.call(
            "POST", "/v1/chat/completions", body=body, **{"x-session-id": "s-down"}
        )
        assert status == 200 and headers["x-benchroute-model"] == "x/big"
        _, record, _ = await gw.call("GET", f"/v1/decisions/{headers['x-benchroute-decision-id']}")
        assert record["session_key"] == "s-down" and record["decision"]["session_action"] == "none"
    finally:
        await unreachable.aclose()
