"""A real Redis restart under a running gateway: a private `redis-server` on a free loopback port
(no persistence), killed with SIGKILL and started again on the same port, while one in-process
gateway (real HTTP, `store.redis_url` pointing at it) keeps serving.

What the code is designed to do (docs/operations.md "What survives what", docs/sessions.md):

- Redis down: requests keep being served. The limiter fails over to per-process counters (which
  still enforce the limits) and tries Redis again after a second; cooldowns stay local and are kept
  for publishing later; a session request is routed without session state (`session_action` =
  "none"), never failed.
- Redis back (restarted, empty): without restarting the gateway, the limiter goes back to the
  shared counters (what it counted meanwhile is not copied back), the cooldown started during the
  outage is published, and sessions are recorded again (the old ones are gone: they start afresh).
- A restart the gateway never saw (no request while Redis was down) costs no request anything:
  the pooled connections are dead, and each client reconnects once on its own.

The shared Redis on 6379 is not touched.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
import redis.asyncio as aioredis
from reliability_harness import free_port, static_gateway

from benchroute.gateway.state import GatewayState
from benchroute.limits.base import LimitPolicy, Subject
from benchroute.limits.cooldown import SharedHealth
from benchroute.limits.redis import RedisLimiter
from benchroute.sessions.redis import RedisSessionStore
from benchroute.settings import Settings
from support.upstream import Script, ScriptedUpstream

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

WITHIN = 10.0  # seconds a recovery may take
CAPPED_BUDGET = 0.0004  # USD a day; one scripted request (100 + 100 tokens on up/small) costs 0.0005


class RedisServer:
    """One private `redis-server` on 127.0.0.1:`port`, in `tmp` (no RDB, no AOF); `kill()` and
    `start()` again reuse the port."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> aioredis.Redis:
        return aioredis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def _spawn(self, log: Path) -> subprocess.Popen[bytes]:
        args = {"port": str(self.port), "bind": "127.0.0.1", "save": "", "appendonly": "no"}
        args |= {"dir": str(self.tmp), "logfile": str(log)}
        cmd = ["redis-server", *(part for k, v in args.items() for part in (f"--{k}", v))]
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    async def start(self) -> None:
        """Start redis-server and wait until it answers PING."""
        self.starts += 1
        log = self.tmp / f"redis-{self.starts}.log"
        self.proc = self._spawn(log)
        deadline = time.monotonic() + WITHIN
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                text = log.read_text(errors="replace") if log.exists() else ""
                raise RuntimeError(f"redis-server exited at start ({self.proc.returncode}):\n{text}")
            try:
                async with self.client() as c:
                    if await c.ping():
                        return
            except (aioredis.ConnectionError, aioredis.TimeoutError, OSError):
                await asyncio.sleep(0.02)
        raise RuntimeError(f"redis-server on port {self.port} did not answer PING")

    def kill(self) -> None:
        """SIGKILL by PID, and reap it: the port is free once this returns."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        if proc is not None:
            proc.wait(timeout=10)


@dataclass
class Gateway:
    url: str
    state: GatewayState
    keys: dict[str, str]
    upstream: ScriptedUpstream
    http: aiohttp.ClientSession

    async def chat(
        self, project: str, *, model: str = "auto", session: str | None = None
    ) -> tuple[int, dict[str, str], Any]:
        body = {"model": model, "messages": [{"role": "user", "content": "hello"}]}
        hdrs = {"authorization": f"Bearer {self.keys[project]}"}
        if session is not None:
            hdrs["x-session-id"] = session
        async with self.http.post(self.url + "/v1/chat/completions", json=body, headers=hdrs) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, orjson.loads(await r.read())

    async def get(self, path: str, project: str = "open") -> tuple[int, Any]:
        hdrs = {"authorization": f"Bearer {self.keys[project]}"}
        async with self.http.get(self.url + path, headers=hdrs) as r:
            return r.status, orjson.loads(await r.read())

    async def session_action(self, headers: dict[str, str]) -> str:
        """The recorded decision's session action ("none": routed without session state). The record
        is handed to the writer after the response, so it may take a moment to be readable."""
        path = f"/v1/decisions/{headers['x-benchroute-decision-id']}"
        deadline = time.monotonic() + WITHIN
        status, record = await self.get(path)
        while status == 404 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            status, record = await self.get(path)
        assert status == 200, record
        action: str = record["decision"]["session_action"]
        return action

    async def cooldowns(self) -> dict[str, Any]:
        async with self.http.get(self.url + "/healthz") as r:
            assert r.status == 200
            cooling: dict[str, Any] = (await r.json())["cooldown"]
            return cooling


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(tmp_path)
    try:
        await server.start()
        yield server
    finally:
        server.kill()


@pytest.fixture
async def gateway(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[Gateway]:
    async with ScriptedUpstream() as upstream:
        settings = Settings(
            data_dir=tmp_path / "data",
            server={"discover_local": False, "retries": 0, "cooldown_failures": 1, "cooldown_seconds": 60.0},
            store={"url": "memory://", "redis_url": redis_server.url},
            providers={
                "up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "k"},
                "dead": {"kind": "openai", "base_url": f"http://127.0.0.1:{free_port()}/v1", "api_key": "k"},
            },
            models=[
                {
                    "id": "up/small",
                    "provider": "up",
                    "upstream_id": "s",
                    "input_price": 1.0,
                    "output_price": 4.0,
                },
                {"id": "dead/one", "provider": "dead", "upstream_id": "one"},
                {"id": "dead/two", "provider": "dead", "upstream_id": "two"},
            ],
            tiers={"default": "up/small"},
            projects={
                "open": {"requests_per_minute": 100_000},
                "capped": {"daily_budget_usd": CAPPED_BUDGET},
            },
        )
        async with static_gateway(settings) as gw:
            keys = {name: (await gw.state.store.create_key(name))[1] for name in ("open", "capped")}
            async with aiohttp.ClientSession() as http:
                yield Gateway(gw.base_url, gw.state, keys, upstream, http)


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float = WITHIN) -> None:
    """Poll `check` until it holds (or fail after `within` seconds)."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s: {what}")
        await asyncio.sleep(0.05)


def _project(name: str) -> Subject:
    return Subject("project", name, LimitPolicy())


async def _counter(server: RedisServer, project: str, kind: str) -> int:
    """The sum of the project's `kind` (rpm, day, ...) limit counters in the Redis server itself."""
    async with server.client() as c:
        keys = [k async for k in c.scan_iter(match=f"benchroute:limit:project:{project}:{kind}:*")]
        values: list[bytes | str | None] = await c.mget(keys) if keys else []
    return sum(int(v) for v in values if v is not None)


async def _published(server: RedisServer, model: str) -> bool:
    """Whether the model's cooldown is in the Redis server's shared cooldown hash."""
    async with server.client() as c:
        return bool(await c.hexists("benchroute:cooldown", model))


async def test_gateway_serves_through_a_redis_kill_and_recovers_on_restart(
    gateway: Gateway, redis_server: RedisServer
) -> None:
    gw, state = gateway, gateway.state
    limiter, health, sessions = state.limiter, state.health, state.sessions
    assert isinstance(limiter, RedisLimiter) and isinstance(health, SharedHealth)
    assert sessions is not None and isinstance(sessions.store, RedisSessionStore)

    # --- Redis up: every Redis-backed piece works through it.
    status, headers, body = await gw.chat("open", session="conv-1")
    assert status == 200, body
    assert await gw.session_action(headers) == "new"
    status, headers, _ = await gw.chat("open", session="conv-1")
    assert status == 200 and await gw.session_action(headers) == "stay"
    status, found = await gw.get("/v1/sessions/conv-1")
    assert status == 200 and found["turns"] == 2
    async with redis_server.client() as c:
        assert await c.exists("benchroute:session:open:conv-1") == 1
    assert await _counter(redis_server, "open", "rpm") == 2  # limits counted in Redis
    status, _, _ = await gw.chat("open", model="dead/one")
    assert status >= 500
    await eventually(lambda: _published(redis_server, "dead/one"), "dead/one published")
    assert limiter.failures == 0 and health.sync_failures == 0

    # --- Redis killed: requests keep being served, each piece degrades as designed.
    redis_server.kill()
    status, headers, body = await gw.chat("open", session="conv-1")
    assert status == 200, body
    assert await gw.session_action(headers) == "none"  # routed without session state, not failed
    status, found = await gw.get("/v1/sessions/conv-1")
    assert status == 503 and found["error"]["code"] == "session_store_unavailable"  # says why, no 500
    status, headers, body = await gw.chat("open", session="conv-2")
    assert status == 200, body
    assert await gw.session_action(headers) == "none"
    assert limiter.failures >= 1  # failed over to its per-process counters

    gw.upstream.add(Script(text="ok", prompt_tokens=100, completion_tokens=100))
    status, _, body = await gw.chat("capped")
    assert status == 200, body

    async def fallback_spent() -> bool:
        return (await limiter.fallback.usage(_project("capped"))).day_micro >= CAPPED_BUDGET * 1e6

    await eventually(fallback_spent, "the spend counted by the in-process fallback")
    status, headers, body = await gw.chat("capped")  # the budget still holds, in this process
    assert status == 429, body
    assert body["error"]["code"] == "budget_exceeded" and int(headers["retry-after"]) > 0

    failures = health.sync_failures
    status, _, _ = await gw.chat("open", model="dead/two")
    assert status >= 500
    assert {"dead/one", "dead/two"} <= set(await gw.cooldowns())  # cooldowns stay local

    async def sync_failed() -> bool:
        return health.sync_failures > failures

    await eventually(sync_failed, "a failed cooldown sync")
    assert "dead/two" in health._outbox  # kept for publishing when Redis is back

    # --- A fresh, empty Redis on the same port; the gateway is not restarted.
    await redis_server.start()

    async def sessions_back() -> bool:
        status, headers, body = await gw.chat("open", session="conv-3")
        assert status == 200, body  # served all along
        return await gw.session_action(headers) != "none"

    await eventually(sessions_back, "session state recorded in the new Redis")
    status, headers, _ = await gw.chat("open", session="conv-3")
    assert status == 200 and await gw.session_action(headers) == "stay"
    status, found = await gw.get("/v1/sessions/conv-3")
    assert status == 200 and found["turns"] >= 2
    # conv-1 lived only in the killed Redis: it starts afresh instead of failing
    assert (await gw.get("/v1/sessions/conv-1"))[0] == 404
    status, headers, _ = await gw.chat("open", session="conv-1")
    assert status == 200 and await gw.session_action(headers) == "new"

    async def limits_shared_again() -> bool:
        status, _, body = await gw.chat("open")
        assert status == 200, body
        return not limiter.degraded and await _counter(redis_server, "open", "rpm") > 0

    await eventually(limits_shared_again, "the limiter back on the Redis counters")
    # The budget is checked against the new Redis' counters again (the outage's per-process spend
    # is not copied back, as documented), and spend counted there is enforced.
    gw.upstream.add(Script(text="ok", prompt_tokens=100, completion_tokens=100))
    status, _, body = await gw.chat("capped")
    assert status == 200, body

    async def redis_spent() -> bool:
        return await _counter(redis_server, "capped", "day") >= CAPPED_BUDGET * 1e6

    await eventually(redis_spent, "the spend counted in Redis")
    status, _, body = await gw.chat("capped")
    assert status == 429 and body["error"]["code"] == "budget_exceeded"

    # the cooldown started during the outage is published to the new Redis
    await eventually(lambda: _published(redis_server, "dead/two"), "dead/two published")
    assert "dead/two" in await gw.cooldowns()


async def test_a_restart_between_requests_costs_no_request_its_redis_state(
    gateway: Gateway, redis_server: RedisServer
) -> None:
    """Redis restarted while no request ran: the clients' pooled connections are dead, yet the very
    next requests are served from Redis (each client reconnects once by itself), not degraded."""
    gw, limiter = gateway, gateway.state.limiter
    assert isinstance(limiter, RedisLimiter)
    # concurrent requests so that more than one connection is pooled
    first = await asyncio.gather(*(gw.chat("open", session=f"s-{i}") for i in range(4)))
    assert [s for s, _, _ in first] == [200] * 4
    assert [await gw.session_action(h) for _, h, _ in first] == ["new"] * 4

    redis_server.kill()
    await redis_server.start()  # empty: the sessions are gone, and start afresh

    assert (await gw.get("/v1/sessions/s-0"))[0] == 404  # gone with the old Redis; not a 500

    after = await asyncio.gather(*(gw.chat("open", session=f"s-{i}") for i in range(4)))
    assert [s for s, _, _ in after] == [200] * 4
    assert [await gw.session_action(h) for _, h, _ in after] == ["new"] * 4  # not "none"
    for i in range(4):
        status, found = await gw.get(f"/v1/sessions/s-{i}")
        assert status == 200 and found["turns"] == 1, found
    assert limiter.failures == 0 and not limiter.degraded  # the shared counters throughout
    assert await _counter(redis_server, "open", "rpm") == 4
