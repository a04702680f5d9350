"""What the gateway shares across replicas, built from the settings: the limiter and the model
health. With `store.redis_url` both go through Redis; without it both are in-process."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AsyncExitStack

from benchroute.limits.base import Limiter
from benchroute.limits.health import ModelHealth
from benchroute.limits.memory import MemoryLimiter
from benchroute.settings import Settings


def open_limiter(settings: Settings) -> Limiter:
    if settings.store.redis_url:
        from benchroute.limits.redis import RedisLimiter

        return RedisLimiter.from_url(settings.store.redis_url)
    return MemoryLimiter()


async def open_shared(settings: Settings, stack: AsyncExitStack) -> tuple[Limiter, ModelHealth]:
    """The limiter and the model health for a gateway; `stack` closes them (and stops the
    cooldown sync) when the gateway stops."""
    server = settings.server
    limiter = open_limiter(settings)
    stack.push_async_callback(limiter.aclose)
    if not settings.store.redis_url:
        return limiter, ModelHealth(server.cooldown_failures, server.cooldown_seconds)
    from benchroute.limits.cooldown import SharedHealth
    from benchroute.redisconn import connect

    client = connect(settings.store.redis_url)
    stack.push_async_callback(client.aclose)
    health = SharedHealth(client, server.cooldown_failures, server.cooldown_seconds)
    task = asyncio.ensure_future(health.run())

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(stop)
    return limiter, health
