"""The one way benchroute opens a Redis client (`pip install benchroute[redis]`).

The limiter, the shared cooldowns and the session store all sit on the request path, so every
client fails fast (short socket timeouts) and retries a command once on a connection error, which
reconnects: after a Redis restart every pooled connection is dead, and without the retry the first
command on each one fails although Redis is back (tests/reliability/test_redis_restart.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_TIMEOUT = 0.5  # seconds, for connecting and for each command


def connect(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Redis:
    try:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("Redis support needs the redis package: pip install 'benchroute[redis]'") from exc
    client: Redis = aioredis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1)
    )
    return client
