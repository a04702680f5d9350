"""Model cooldowns shared through Redis: one replica's cooldown is skipped by the others, ends
everywhere when it expires, and a Redis outage leaves each replica's own cooldowns working."""

from __future__ import annotations

import os
import uuid

import pytest

from benchroute.gateway.server import free_socket
from benchroute.limits.cooldown import SharedHealth
from benchroute.redisconn import connect
from support.poll import eventually

REDIS_URL = os.environ.get("BENCHROUTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.mark.redis
async def test_a_cooldown_is_shared_and_ends_everywhere() -> None:
    key = f"benchroute-test:cooldown:{uuid.uuid4().hex[:8]}"
    a = SharedHealth(connect(REDIS_URL), 2, 0.4, key=key)
    b = SharedHealth(connect(REDIS_URL), 2, 0.4, key=key)
    try:
        a.failure("m1")
        await a.sync()
        await b.sync()
        assert b.unavailable() == frozenset()  # one failure: no cooldown yet
        a.failure("m1")
        assert a.unavailable() == {"m1"}
        await a.sync()
        await b.sync()
        assert b.unavailable() == {"m1"}  # B never saw m1 fail
        assert 0 < b.snapshot()["m1"]["cooldown_remaining"] <= 0.4

        async def ended() -> bool:
            await b.sync()  # cleans up expired entries
            return not a.unavailable() and not b.unavailable() and await a.client.hgetall(key) == {}

        await eventually(ended, what="the cooldown ends on both and leaves Redis")
    finally:
        await a.client.delete(key)
        await a.client.aclose()
        await b.client.aclose()


async def test_redis_down_keeps_local_cooldowns() -> None:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    health = SharedHealth(connect(f"redis://127.0.0.1:{port}/0", timeout=0.2), 1, 5.0)
    try:
        health.failure("m1")
        await health.sync()  # cannot publish: kept for later, no exception
        assert health.sync_failures == 1
        assert health.unavailable() == {"m1"}
        assert "m1" in health._outbox
    finally:
        await health.client.aclose()
