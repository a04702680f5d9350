"""While the store cannot be read, cached keys and settings keep being served (for a while)."""

from __future__ import annotations

import pytest

from benchroute.gateway.cache import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_an_expired_entry_is_served_while_the_store_is_down() -> None:
    clock = Clock()
    cache: TTLCache[str, str] = TTLCache(5.0, clock=clock, stale_for=60.0)
    calls = 0

    async def up() -> str:
        nonlocal calls
        calls += 1
        return f"v{calls}"

    async def down() -> str:
        raise ConnectionError("store unavailable")

    assert await cache.get("k", up) == "v1"
    clock.now = 30.0  # expired 25 s ago; the store is down
    assert await cache.get("k", down) == "v1"
    assert await cache.get("k", up) == "v2"  # back: fresh values again
    clock.now = 100.0  # expired 65 s ago: too stale to serve
    with pytest.raises(ConnectionError):
        await cache.get("k", down)
    with pytest.raises(ConnectionError):  # never seen: nothing to fall back on
        await cache.get("other", down)
