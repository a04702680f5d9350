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

    def _live(self, ident: tuple[str, str], now: float, move: bool = True) -> SessionState | None:
        item = self._items.get(ident)
        if item is None:
            return None
        if item[0] <= now:
            del self._items[ident]
            return None
        if move:
            self._items.move_to_end(ident)
        return item[1]

    def _set(self, ident: tuple[str, str], state: SessionState, ttl: float | None, now: float) -> None:
        self._items[ident] = (now + (self.ttl if ttl is None else ttl), state)
        self._items.move_to_end(ident)
        while len(self._items) > self.max_sessions:
            self._items.popitem(last=False)

    async def get(self, project: str, key: str) -> SessionState | None:
        return self._live((project, key), self._clock())

    async def put(self, state: SessionState, ttl: float | None = None) -> None:
        self._set((state.project, state.key), state, ttl, self._clock())

    async def update(
        self, project: str, key: str, fn: Updater, ttl: float | None = None
    ) -> SessionState | None:
        # one read of the clock (the expiry counts from it, as for a `put`; `fn` is pure and
        # quick) and one move to the end (by `_set`)
        ident = (project, key)
        now = self._clock()
        new = fn(self._live(ident, now, move=False))
        if new is None:
            self._items.pop(ident, None)
        else:
            self._set(ident, new, ttl, now)
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
