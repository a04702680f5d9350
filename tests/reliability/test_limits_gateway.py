"""Limits and budgets on the request path of one gateway (in-process counters, no Redis): the 429
in each client's error shape names the limit and carries Retry-After; the budget warning header."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from reliability_harness import static_gateway

from benchroute.gateway.state import GatewayState
from benchroute.limits.memory import MemoryLimiter
from benchroute.settings import Settings
from support.upstream import Script, ScriptedUpstream

pytestmark = pytest.mark.slow


@pytest.fixture
async def limited(
    tmp_path: Path,
) -> AsyncIterator[tuple[str, dict[str, str], ScriptedUpstream, GatewayState]]:
    async with ScriptedUpstream() as upstream:
        settings = Settings(
            data_dir=tmp_path,
            server={"discover_local": False},
            store={"url": "memory://"},
            providers={"up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "k"}},
            models=[
                {"id": "up/m", "provider": "up", "upstream_id": "m", "input_price": 1.0, "output_price": 1.0}
            ],
            tiers={"default": "up/m"},
            projects={
                "rpm": {"requests_per_minute": 2},
                "keyed": {"key_requests_per_minute": 1},
                "spend": {"daily_budget_usd": 0.0003, "budget_warn_share": 0.5},
            },
        )
        async with static_gateway(settings) as gw:
            keys = {}
            for name in ("rpm", "keyed", "spend"):
                _, keys[name] = await gw.state.store.create_key(name)
            _, keys["keyed-2"] = await gw.state.store.create_key("keyed")
            yield gw.base_url, keys, upstream, gw.state


async def _post(base: str, path: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    async with aiohttp.ClientSession() as s:
        async with s.post(base + path, json=body, headers={"x-api-key": key}) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, await r.json()


CHAT = {"model": "up/m", "messages": [{"role": "user", "content": "hi"}]}
MESSAGES = {"model": "up/m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}


async def test_rate_limit_429_in_each_dialect_shape(limited: Any) -> None:
    base, keys, _, state = limited
    assert isinstance(state.limiter, MemoryLimiter)  # no redis_url: one process's counters
    assert (await _post(base, "/v1/chat/completions", keys["rpm"], CHAT))[0] == 200
    assert (await _post(base, "/v1/messages", keys["rpm"], MESSAGES))[0] == 200
    status, headers, body = await _post(base, "/v1/chat/completions", keys["rpm"], CHAT)
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 60
    assert body["error"]["code"] == "rate_limit_exceeded" and body["error"]["param"] == "requests_per_minute"
    assert "rate limit reached for project 'rpm': requests_per_minute = 2" in body["error"]["message"]
    status, headers, body = await _post(base, "/v1/messages", keys["rpm"], MESSAGES)
    assert status == 429 and "retry-after" in headers
    assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
    assert "requests_per_minute" in body["error"]["message"]


async def test_per_key_limit_leaves_the_other_keys_alone(limited: Any) -> None:
    base, keys, _, _ = limited
    assert (await _post(base, "/v1/chat/completions", keys["keyed"], CHAT))[0] == 200
    status, _, body = await _post(base, "/v1/chat/completions", keys["keyed"], CHAT)
    assert status == 429 and "for key" in body["error"]["message"]
    assert (await _post(base, "/v1/chat/completions", keys["keyed-2"], CHAT))[0] == 200


async def test_budget_warning_header_then_hard_cap(limited: Any) -> None:
    base, keys, upstream, state = limited
    # 100 + 100 tokens at 1 USD / 1M each = 0.0002 USD; the daily budget is 0.0003 USD
    upstream.add(*(Script(text="ok", prompt_tokens=100, completion_tokens=100) for _ in range(2)))
    status, headers, _ = await _post(base, "/v1/chat/completions", keys["spend"], CHAT)
    assert status == 200 and "x-benchroute-budget-warning" not in headers
    await state.inflight.wait_idle(5)  # spend is counted as the request is logged, after its response
    status, headers, _ = await _post(base, "/v1/chat/completions", keys["spend"], CHAT)
    assert status == 200 and "daily budget 67% used" in headers["x-benchroute-budget-warning"]
    await state.inflight.wait_idle(5)
    status, headers, body = await _post(base, "/v1/chat/completions", keys["spend"], CHAT)
    assert status == 429 and body["error"]["code"] == "budget_exceeded"
    assert "0.0004 USD spent today" in body["error"]["message"]
    await state.writer.flush()
    records = await state.store.list_usage(project="spend")
    assert sorted(r.status for r in records) == [200, 200, 429]
