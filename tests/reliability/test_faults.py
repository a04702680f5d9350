"""Upstream faults through the real gateway (uvicorn on loopback, SQLite, the scripted upstream):
a timeout, a reset mid-stream, a 429 storm, a provider down (failover to the next candidate,
cooldown, recovery). Nothing crashes, every failure has the right status and a usage record."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from reliability_harness import free_port, static_gateway

from benchroute.gateway.state import GatewayState
from benchroute.routing.base import RouteContext, RoutingEngine
from benchroute.routing.decision import Decision
from benchroute.settings import ProjectSettings, Settings
from benchroute.wire.canonical import ChatRequest
from support.poll import eventually
from support.upstream import Script, ScriptedUpstream

pytestmark = pytest.mark.slow


class WithFallbacks:
    """Another engine's decision, plus fallbacks `up/large` then `up/small` (as the auto router gives)."""

    def __init__(self, inner: RoutingEngine) -> None:
        self.inner = inner

    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision:
        d = self.inner.route(request, project, ctx)
        return replace(d, fallbacks=tuple(m for m in ("up/large", "up/small") if m != d.model))


@dataclass
class Faulty:
    url: str
    key: str
    state: GatewayState
    upstream: ScriptedUpstream

    async def chat(self, model: str = "up/small", stream: bool = False) -> tuple[int, dict[str, str], bytes]:
        body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
        async with aiohttp.ClientSession() as s:
            async with s.post(self.url + "/v1/chat/completions", json=body,
                              headers={"authorization": f"Bearer {self.key}"}) as r:  # fmt: skip
                return r.status, {k.lower(): v for k, v in r.headers.items()}, await r.read()

    async def health(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as s, s.get(self.url + "/healthz") as r:
            data: dict[str, Any] = await r.json()
            return data

    async def records(self) -> list[Any]:
        assert await self.state.inflight.wait_idle(5)
        await self.state.writer.flush()  # type: ignore[attr-defined]
        return sorted(await self.state.store.list_usage(project=None, limit=1000), key=lambda r: r.time)


@pytest.fixture
async def faulty(tmp_path: Path) -> AsyncIterator[Faulty]:
    dead_port = free_port()  # nothing listens there
    async with ScriptedUpstream() as upstream:
        settings = Settings(
            data_dir=tmp_path,
            server={"discover_local": False, "retries": 1, "read_timeout": 1.0, "connect_timeout": 1.0,
                    "cooldown_failures": 2, "cooldown_seconds": 1.0},
            store={"url": f"sqlite:///{tmp_path / 'faults.db'}"},
            providers={
                "up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "k"},
                "dead": {"kind": "openai", "base_url": f"http://127.0.0.1:{dead_port}/v1", "api_key": "k"},
            },
            models=[
                {"id": "up/small", "provider": "up", "upstream_id": "s", "input_price": 1.0,
                 "output_price": 2.0},
                {"id": "up/large", "provider": "up", "upstream_id": "l", "input_price": 5.0,
                 "output_price": 9.0},
                {"id": "dead/model", "provider": "dead", "upstream_id": "m"},
            ],
            tiers={"default": "up/small"},
        )  # fmt: skip
        async with static_gateway(settings, WithFallbacks) as gw:
            _, key = await gw.state.store.create_key("default", name="faults")
            yield Faulty(gw.base_url, key, gw.state, upstream)


async def test_upstream_timeout_is_a_504_then_service_resumes(faulty: Faulty) -> None:
    faulty.upstream.add(*(Script(hang=True) for _ in range(3)))  # attempt, retry, fallback up/large
    started = time.monotonic()
    status, _, body = await faulty.chat("up/small")
    assert status == 504 and orjson.loads(body)["error"]["code"] == "upstream_timeout"
    assert time.monotonic() - started < 6  # read_timeout = 1 s: three attempts
    assert (await faulty.chat("up/small"))[0] == 200
    assert [r.status for r in await faulty.records()] == [504, 200]


async def test_reset_mid_stream_ends_the_stream_with_an_error_event(faulty: Faulty) -> None:
    faulty.upstream.add(Script(text="one two three four", chunks=4, reset_after=2))
    status, _, body = await faulty.chat("up/small", stream=True)
    assert status == 200  # the stream had started
    events = [line for line in body.decode().splitlines() if line.startswith("data: ")]
    assert any('"error"' in e for e in events), events
    record = (await faulty.records())[-1]
    assert record.status == 502 and "mid-stream" in (record.error or "")


async def _cooled_down(faulty: Faulty, model: str) -> bool:
    """No cooldown left on `model` (it may still be listed with its failure count)."""
    state = (await faulty.health())["cooldown"].get(model)
    return state is None or state["cooldown_remaining"] == 0


async def test_a_429_storm_is_answered_with_retry_after_and_no_crash(faulty: Faulty) -> None:
    faulty.upstream.add(*(Script(status=429, retry_after="1") for _ in range(200)))
    results = await asyncio.gather(*(faulty.chat("up/small") for _ in range(40)))
    statuses = {s for s, _, _ in results}
    assert statuses <= {429, 503}, statuses  # rate limited, or the model already cooling down
    limited = [h for s, h, _ in results if s == 429]
    assert limited and all(int(h["retry-after"]) >= 1 for h in limited)
    assert "up/small" in (await faulty.health())["cooldown"]  # the 429 + Retry-After cooled it down
    faulty.upstream.scripts.clear()  # the storm passes
    await eventually(lambda: _cooled_down(faulty, "up/small"), what="up/small's cooldown (1 s) ends")
    assert (await faulty.chat("up/small"))[0] == 200
    assert len(await faulty.records()) == 41


async def test_a_provider_down_fails_over_to_the_next_candidate_and_cools_down(faulty: Faulty) -> None:
    for _ in range(2):
        status, headers, _ = await faulty.chat("dead/model")
        assert status == 200 and headers["x-benchroute-model"] == "up/large"  # served by the fallback
    assert (await faulty.health())["cooldown"]["dead/model"]["cooldown_remaining"] > 0
    records = await faulty.records()
    assert [r.routed_model for r in records] == ["up/large"] * 2 and {r.status for r in records} == {200}


async def test_a_failing_fallback_is_skipped_while_cooling_and_recovers(faulty: Faulty) -> None:
    for _ in range(2):  # up/large answers 500 twice as the first fallback: cooldown_failures = 2
        faulty.upstream.add(Script(status=500))
        status, headers, _ = await faulty.chat("dead/model")
        assert status == 200 and headers["x-benchroute-model"] == "up/small"
    assert (await faulty.health())["cooldown"]["up/large"]["cooldown_remaining"] > 0
    seen = len(faulty.upstream.requests)
    status, headers, _ = await faulty.chat("dead/model")
    assert headers["x-benchroute-model"] == "up/small"
    assert len(faulty.upstream.requests) == seen + 1  # up/large was not even tried
    await eventually(lambda: _cooled_down(faulty, "up/large"), what="up/large's cooldown (1 s) ends")
    status, headers, _ = await faulty.chat("dead/model")
    assert status == 200 and headers["x-benchroute-model"] == "up/large"  # back in service
