"""`open_store(settings)`: the backend a store URL names, built but not started."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from benchroute.settings import Settings
from benchroute.store.base import Store
from benchroute.store.crypto import ensure_secret
from benchroute.store.urls import backend_of


def open_store(settings: Settings) -> Store:
    """The store for `settings.store_url` (sqlite default, postgresql, memory://).

    The caller owns its lifecycle: `await store.start()` (applies migrations) and
    `await store.close()`; `started_store` does both.
    """
    url = settings.store_url
    secret = ensure_secret(settings)
    if backend_of(url) == "memory":
        from benchroute.store.memory import MemoryStore

        return MemoryStore(secret=secret)
    from benchroute.store.sql import SqlStore

    return SqlStore(url, secret=secret)


@asynccontextmanager
async def started_store(settings: Settings) -> AsyncIterator[Store]:
    store = open_store(settings)
    await store.start()
    try:
        yield store
    finally:
        await store.close()
