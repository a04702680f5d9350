"""Redis session store, shared by several gateway processes (`pip install benchroute[redis]`).

Each session is one JSON value under `<prefix><project>:<key>` with a TTL refreshed on every
write. `update` is an optimistic transaction (WATCH / MULTI / EXEC, retried when another process
wrote the same session in between), so concurrent requests of one session never lose a turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

import orjson

from benchroute.redisconn import connect
from benchroute.sessions.base import DEFAULT_TTL, SessionState, Updater

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_PREFIX = "benchroute:session:"
MAX_RETRIES = 64


class SessionStoreError(Exception):
    """The session store could not complete an operation."""


class RedisSessionStore:
    def __init__(self, client: Redis, *, prefix: str = DEFAULT_PREFIX, ttl: float = DEFAULT_TTL) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = DEFAULT_PREFIX, ttl: float = DEFAULT_TTL
    ) -> RedisSessionStore:
        client = connect(url)
        return cls(client, prefix=prefix, ttl=ttl)

    def redis_key(self, project: str, key: str) -> str:
        return f"{self.prefix}{quote(project, safe='')}:{key}"

    def _ttl_ms(self, ttl: float | None) -> int:
        return max(1, int((self.ttl if ttl is None else ttl) * 1000))

    async def get(self, project: str, key: str) -> SessionState | None:
        raw = await self.client.get(self.redis_key(project, key))
        return _decode(raw)

    async def put(self, state: SessionState, ttl: float | None = None) -> None:
        await self.client.set(
            self.redis_key(state.project, state.key), orjson.dumps(state.to_dict()), px=self._ttl_ms(ttl)
        )

    async def update(
        self, project: str, key: str, fn: Updater, ttl: float | None = None
    ) -> SessionState | None:
        from redis.exceptions import WatchError

        name = self.redis_key(project, key)
        async with self.client.pipeline(transaction=True) as pipe:
            for _ in range(MAX_RETRIES):
                try:
                    await pipe.watch(name)
                    new = fn(_decode(await pipe.get(name)))
                    pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
                    if new is None:
                        pipe.delete(name)
                    else:
                        pipe.set(name, orjson.dumps(new.to_dict()), px=self._ttl_ms(ttl))
                    await pipe.execute()
                    return new
                except WatchError:
                    continue
        raise SessionStoreError(f"session {key!r} changed {MAX_RETRIES} times during one update")

    async def delete(self, project: str, key: str) -> None:
        await self.client.delete(self.redis_key(project, key))

    async def aclose(self) -> None:
        await self.client.aclose()


def _decode(raw: bytes | str | None) -> SessionState | None:
    if raw is None:
        return None
    try:
        return SessionState.from_dict(orjson.loads(raw))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        # A value written by an incompatible version: start the session afresh.
        return None
