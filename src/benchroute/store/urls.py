"""Store URLs: which backend a URL names, and the async driver URL SQLAlchemy needs."""

from __future__ import annotations

from pathlib import Path

from benchroute.store.errors import StoreError


def backend_of(url: str) -> str:
    """ "memory", "sqlite" or "postgresql"."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme == "memory":
        return "memory"
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres"):
        return "postgresql"
    raise StoreError(f"unsupported store URL scheme {scheme!r}: use sqlite://, postgresql:// or memory://")


def async_url(url: str) -> str:
    """`sqlite:///x.db` -> `sqlite+aiosqlite:///x.db`; `postgresql://` -> `postgresql+asyncpg://`."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise StoreError("a store URL needs a scheme, e.g. sqlite:///path/benchroute.db")
    backend = backend_of(url)
    if backend == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if backend == "postgresql":
        return f"postgresql+asyncpg://{rest}"
    raise StoreError(f"{scheme}:// is not an SQL store URL")


def sqlite_path(url: str) -> Path | None:
    """The database file of an SQLite URL (None for an in-memory database)."""
    rest = url.partition("://")[2]
    path = rest[1:] if rest.startswith("/") else rest
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url
