"""A small TTL cache for async lookups, with one lookup in flight per key (no thundering herd
when an entry expires under load)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """`stale_for`: when a reload fails (the store is briefly down), an entry that expired less than
    this many seconds ago is served instead of the error, so requests keep being served."""

    def __init__(
        self,
        ttl: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        stale_for: float = 300.0,
    ) -> None:
        self._ttl = ttl
        self._stale_for = stale_for
        self._max = max_entries
        self._clock = clock
        self._values: dict[K, tuple[V, float]] = {}
        self._loading: dict[K, asyncio.Future[V]] = {}

    def peek(self, key: K) -> V | None:
        """The value cached for `key` while it is fresh, else None (no load)."""
        hit = self._values.get(key)
        if hit is not None and hit[1] > self._clock():
            return hit[0]
        return None

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        hit = self._values.get(key)
        if hit is not None and hit[1] > self._clock():
            return hit[0]
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            value = await load()
        except Exception as exc:
            if hit is not None and self._clock() - hit[1] < self._stale_for:
                future.set_result(hit[0])  # the store is down: the last known value it is
                return hit[0]
            future.set_exception(exc)
            future.exception()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody else must log it
            raise
        else:
            future.set_result(value)
        finally:
            del self._loading[key]
        if len(self._values) >= self._max:
            self._values.clear()  # bounded: keys sprayed at the gateway cannot grow it
        self._values[key] = (value, self._clock() + self._ttl)
        return value
