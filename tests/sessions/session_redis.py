"""Helpers for tests that use the real Redis on 127.0.0.1:6379."""

from __future__ import annotations

import os

from benchroute.sessions.redis import RedisSessionStore

REDIS_URL = os.environ.get("BENCHROUTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def drop_prefix(store: RedisSessionStore) -> None:
    """Delete every key under the store's (per-test, random) prefix."""
    keys = [k async for k in store.client.scan_iter(match=store.prefix + "*")]
    if keys:
        await store.client.delete(*keys)
