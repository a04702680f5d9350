"""Session store fixtures: the same tests run against the in-memory store and real Redis.

Redis tests use 127.0.0.1:6379 (BENCHROUTE_TEST_REDIS_URL) with a random key prefix per test,
and delete their keys afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from session_redis import REDIS_URL, drop_prefix

from benchroute.sessions.base import SessionStore
from benchroute.sessions.memory import MemorySessionStore
from benchroute.sessions.redis import RedisSessionStore


@pytest.fixture
def redis_prefix() -> str:
    return f"benchroute-test:{uuid.uuid4().hex[:12]}:"


@pytest.fixture
async def redis_store(redis_prefix: str) -> AsyncIterator[RedisSessionStore]:
    store = RedisSessionStore.from_url(REDIS_URL, prefix=redis_prefix)
    try:
        yield store
    finally:
        await drop_prefix(store)
        await store.aclose()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def session_store(request: pytest.FixtureRequest, redis_prefix: str) -> AsyncIterator[SessionStore]:
    if request.param == "memory":
        yield MemorySessionStore(max_sessions=1000)
        return
    store = RedisSessionStore.from_url(REDIS_URL, prefix=redis_prefix)
    try:
        yield store
    finally:
        await drop_prefix(store)
        await store.aclose()
