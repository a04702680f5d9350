"""The session store the settings ask for: Redis when `store.redis_url` is set, else in-memory."""

from __future__ import annotations

from benchroute.sessions.base import DEFAULT_TTL, SessionStore
from benchroute.sessions.memory import MemorySessionStore
from benchroute.settings import Settings


def open_session_store(
    settings: Settings, *, ttl: float = DEFAULT_TTL, max_sessions: int = 100_000
) -> SessionStore:
    """Redis (shared by several gateway processes) when configured; one process's memory otherwise.
    Opening does no I/O: Redis connects on first use."""
    url = settings.store.redis_url
    if url:
        from benchroute.sessions.redis import RedisSessionStore

        return RedisSessionStore.from_url(url, ttl=ttl)
    return MemorySessionStore(max_sessions=max_sessions, ttl=ttl)
