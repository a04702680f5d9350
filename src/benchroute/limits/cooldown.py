"""Model cooldowns shared by every replica through Redis (when `store.redis_url` is set).

`SharedHealth` is the gateway's `ModelHealth` (failures are still counted per process, and the
request path still reads an in-memory set: no Redis round trip per request) plus a sync task: a
cooldown started here is published to one Redis hash (`model -> wall-clock end`), and the hash is
read every `interval` seconds so a model one replica found down is skipped by all of them. Redis
being down only makes cooldowns local again; requests never wait on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from benchroute.limits.health import ModelHealth, ModelState

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

DEFAULT_KEY = "benchroute:cooldown"


class SharedHealth(ModelHealth):
    def __init__(
        self,
        client: Redis,
        cooldown_failures: int,
        cooldown_seconds: float,
        *,
        key: str = DEFAULT_KEY,
        interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        log_every: float = 30.0,
    ) -> None:
        super().__init__(cooldown_failures, cooldown_seconds, clock=clock)
        self.client = client
        self.key = key
        self.interval = interval
        self._mono = clock
        self._wall = wall
        self._outbox: dict[str, float] = {}  # model -> wall-clock end, not yet published
        self._log_every = log_every
        self._last_log = -float("inf")
        self.sync_failures = 0

    def _cool(self, model: str, state: ModelState, until: float) -> None:
        super()._cool(model, state, until)
        end = self._wall() + (until - self._mono())
        self._outbox[model] = max(end, self._outbox.get(model, 0.0))

    def _adopt(self, model: str, wall_end: float) -> None:
        """A cooldown another replica published (not published again)."""
        remaining = wall_end - self._wall()
        if remaining <= 0:
            return
        state = self._models.setdefault(model, ModelState())
        until = self._mono() + remaining
        if until > state.until + 0.05:
            ModelHealth._cool(self, model, state, until)

    async def sync(self) -> None:
        """Publish this replica's new cooldowns and adopt everyone's (one pipeline, one read)."""
        outbox, self._outbox = self._outbox, {}
        now = self._wall()
        try:
            if outbox:
                pipe = self.client.pipeline(transaction=False)
                for model, end in outbox.items():
                    pipe.hset(self.key, model, repr(end))
                await pipe.execute()
            remote = await self.client.hgetall(self.key)
        except Exception as exc:
            for model, end in outbox.items():  # keep them for the next try
                self._outbox[model] = max(end, self._outbox.get(model, 0.0))
            self._failed(exc)
            return
        expired: list[bytes | str] = []
        for raw_model, raw_end in remote.items():
            model = raw_model.decode() if isinstance(raw_model, bytes) else str(raw_model)
            try:
                end = float(raw_end)
            except ValueError:
                expired.append(raw_model)
                continue
            if end <= now:
                expired.append(raw_model)
            else:
                self._adopt(model, end)
        if expired:
            with contextlib.suppress(Exception):
                await self.client.hdel(self.key, *expired)

    def _failed(self, exc: BaseException) -> None:
        self.sync_failures += 1
        now = self._mono()
        if now - self._last_log >= self._log_every:
            self._last_log = now
            log.warning(
                "cannot share model cooldowns through Redis (%s); they stay local", type(exc).__name__
            )

    async def run(self) -> None:
        """Sync every `interval` seconds until cancelled."""
        while True:
            await self.sync()
            await asyncio.sleep(self.interval)
