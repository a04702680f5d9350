"""In-process session store: bounded (least recently used out first) and expiring.

The default for one gateway process. Every operation is synchronous under the hood (no await
between read and write), so `update` is atomic on one event loop.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from benchroute.sessions.base import DEFAULT_TTL, SessionState, Updater


class MemorySessionStore:
    def __init__(
        self,
        *,
        max_sessions: int = 100_000,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.max_sessions = max_sessions
        self.ttl = ttl
        self._clock = clock
        # (project, key) -> (expires at, by `clock`; state); oldest use first.
        self._items: OrderedDict[tuple[str, str], tuple[float, SessionState]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def _live(self, ident: tuple[str, str]) -> SessionState | None:
        item = self._items.get(ident)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._items[ident]
            return None
        self._items.move_to_end(ident)
        return item[1]

    def _set(self, ident: tuple[str, str], state: SessionState, ttl: float | None) -> None:
        self._items[ident] = (self._clock() + (self.ttl if ttl is None else ttl), state)
        self._items.move_to_end(ident)
        while len(self._items) > self.max_sessions:
            self._items.popitem(last=False)

    async def get(self, project: str, key: str) -> SessionState | None:
        return self._live((project, key))

    async def put(self, state: SessionState, ttl: float | None = None) -> None:
        self._set((state.project, state.key), state, ttl)

    async def update(
        self, project: str, key: str, fn: Updater, ttl: float | None = None
    ) -> SessionState | None:
        # `_live` then `_set`, with one read of the clock (the expiry counts from the read, as
        # for a `put`; `fn` is pure and quick) and one move to the end
        ident = (project, key)
        items = self._items
        now = self._clock()
        item = items.get(ident)
        if item is not None and item[0] <= now:
            del items[ident]
            item = None
        new = fn(item[1] if item is not None else None)
        if new is None:
            items.pop(ident, None)
            return None
        items[ident] = (now + (self.ttl if ttl is None else ttl), new)
        items.move_to_end(ident)
        while len(items) > self.max_sessions:
            items.popitem(last=False)
        return new

    async def delete(self, project: str, key: str) -> None:
        self._items.pop((project, key), None)

    def purge_expired(self) -> int:
        """Drop expired sessions now (they are also dropped when read); returns how many."""
        now = self._clock()
        dead = [ident for ident, (expires, _) in self._items.items() if expires <= now]
        for ident in dead:
            del self._items[ident]
        return len(dead)

    async def aclose(self) -> None:
        self._items.clear()
