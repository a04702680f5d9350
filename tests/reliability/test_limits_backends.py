"""The limiter backends agree: memory (one process) and Redis (shared by replicas, real server)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from benchroute.limits.base import Limiter, LimitExceeded, LimitPolicy, Subject, Windows, subjects
from benchroute.limits.memory import MemoryLimiter
from benchroute.limits.redis import RedisLimiter
from benchroute.redisconn import connect
from benchroute.settings import ProjectSettings

REDIS_URL = os.environ.get("BENCHROUTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NOW = 1_800_000_030.0  # 30 s into a minute, mid-month (2027-01-15 08:00:30 UTC)


def project(**policy: object) -> Subject:
    return Subject("project", "p1", LimitPolicy(**policy))  # type: ignore[arg-type]


@pytest.fixture
def prefix() -> str:
    return f"benchroute-test:{uuid.uuid4().hex[:12]}:"


async def _drop(limiter: RedisLimiter) -> None:
    keys = [k async for k in limiter.client.scan_iter(match=limiter.prefix + "*")]
    if keys:
        await limiter.client.delete(*keys)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def limiter(request: pytest.FixtureRequest, prefix: str) -> AsyncIterator[Limiter]:
    if request.param == "memory":
        yield MemoryLimiter()
        return
    lim = RedisLimiter(connect(REDIS_URL), prefix=prefix, owns_client=True)
    try:
        yield lim
    finally:
        await _drop(lim)
        await lim.aclose()


async def test_requests_per_minute_rejects_past_the_limit_and_counts_no_rejected(limiter: Limiter) -> None:
    s = project(requests_per_minute=3)
    for _ in range(3):
        await limiter.admit([s], now=NOW)
    with pytest.raises(LimitExceeded) as info:
        await limiter.admit([s], now=NOW + 1)
    err = info.value
    assert err.limit == "requests_per_minute" and err.code == "rate_limit_exceeded"
    assert "requests_per_minute = 3" in err.message and "project 'p1'" in err.message
    assert err.retry_after == 29  # the minute ends 29 s later
    assert (await limiter.usage(s, now=NOW)).requests == 3  # the rejected request is not counted
    await limiter.admit([s], now=NOW + 30)  # the next minute starts afresh


async def test_tokens_per_minute_counts_recorded_tokens(limiter: Limiter) -> None:
    s = project(tokens_per_minute=1000)
    await limiter.admit([s], now=NOW)
    await limiter.record([s], 999, 0.0, now=NOW)
    await limiter.admit([s], now=NOW)  # 999 < 1000: still admitted (checked against use so far)
    await limiter.record([s], 5, 0.0, now=NOW)
    with pytest.raises(LimitExceeded) as info:
        await limiter.admit([s], now=NOW)
    assert info.value.limit == "tokens_per_minute"
    assert "1004 tokens used" in info.value.message


async def test_daily_budget_warns_then_caps_until_utc_midnight(limiter: Limiter) -> None:
    s = project(daily_budget_usd=1.0, warn_share=0.8)
    assert (await limiter.admit([s], now=NOW)).warnings == ()
    await limiter.record([s], 10, 0.85, now=NOW)
    admission = await limiter.admit([s], now=NOW)
    assert len(admission.warnings) == 1
    assert "daily budget 85% used" in admission.warnings[0]
    await limiter.record([s], 10, 0.15, now=NOW)
    with pytest.raises(LimitExceeded) as info:
        await limiter.admit([s], now=NOW)
    err = info.value
    assert err.limit == "daily_budget_usd" and err.code == "budget_exceeded"
    assert "daily_budget_usd = 1.00 USD" in err.message and "1.0000 USD spent today" in err.message
    assert err.retry_after == int(Windows.at(NOW).day_ends - NOW)
    await limiter.admit([s], now=Windows.at(NOW).day_ends + 1)  # a new day


async def test_monthly_budget_accumulates_over_days(limiter: Limiter) -> None:
    s = project(monthly_budget_usd=2.0)
    await limiter.record([s], 0, 1.5, now=NOW)
    await limiter.record([s], 0, 0.6, now=NOW + 86400)  # the next day, same month
    with pytest.raises(LimitExceeded) as info:
        await limiter.admit([s], now=NOW + 86400)
    assert info.value.limit == "monthly_budget_usd"
    assert "this month" in info.value.message


async def test_key_limit_rejects_without_counting_the_project(limiter: Limiter) -> None:
    settings = ProjectSettings(requests_per_minute=100, key_requests_per_minute=1)
    subs = subjects("p1", settings, "key-a")
    assert [s.kind for s in subs] == ["project", "key"]
    await limiter.admit(subs, now=NOW)
    with pytest.raises(LimitExceeded) as info:
        await limiter.admit(subs, now=NOW)
    assert info.value.subject.kind == "key" and "key 'key-a'" in info.value.message
    assert (await limiter.usage(subs[0], now=NOW)).requests == 1
    other = subjects("p1", settings, "key-b")  # another key of the project has its own allowance
    await limiter.admit(other, now=NOW)
    assert (await limiter.usage(subs[0], now=NOW)).requests == 2


async def test_no_limits_means_no_counting(limiter: Limiter) -> None:
    s = project()
    for _ in range(5):
        assert (await limiter.admit([s], now=NOW)).warnings == ()
    await limiter.record([s], 100, 1.0, now=NOW)
    assert (await limiter.usage(s, now=NOW)).requests == 0


@pytest.mark.redis
async def test_two_replicas_share_counters_atomically(prefix: str) -> None:
    a = RedisLimiter(connect(REDIS_URL), prefix=prefix, owns_client=True)
    b = RedisLimiter(connect(REDIS_URL), prefix=prefix, owns_client=True)
    try:
        s = project(requests_per_minute=10, daily_budget_usd=0.5)

        async def one(lim: RedisLimiter) -> bool:
            try:
                await lim.admit([s], now=NOW)
            except LimitExceeded:
                return False
            return True

        results = await asyncio.gather(*(one(a if i % 2 else b) for i in range(40)))
        assert sum(results) == 10  # exactly the limit, across both replicas
        await a.record([s], 0, 0.5, now=NOW + 60)  # spend through one replica...
        with pytest.raises(LimitExceeded) as info:  # ...is enforced by the other
            await b.admit([s], now=NOW + 61)
        assert info.value.limit == "daily_budget_usd"
    finally:
        await _drop(a)
        await a.aclose()
        await b.aclose()


async def test_redis_down_fails_over_to_per_process_limits(prefix: str) -> None:
    from benchroute.gateway.server import free_socket

    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here
    lim = RedisLimiter(connect(f"redis://127.0.0.1:{port}/0", timeout=0.2), prefix=prefix, owns_client=True)
    try:
        s = project(requests_per_minute=2)
        await lim.admit([s], now=NOW)
        assert lim.degraded and lim.failures == 1
        await lim.admit([s], now=NOW)
        with pytest.raises(LimitExceeded):  # still enforced, by this process alone
            await lim.admit([s], now=NOW)
        await lim.record([s], 10, 0.1, now=NOW)
        assert (await lim.fallback.usage(s, now=NOW)).tokens == 10
    finally:
        await lim.aclose()
