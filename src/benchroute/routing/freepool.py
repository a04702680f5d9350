"""The free pool: which free models `auto/free` splits traffic over, and with what weights.

`FreePool` is an immutable value the pure Router holds. `FreePoolSource` does the I/O: it reads the
pool TOML (`settings.tiers.free_pool`) and re-reads it when the file's mtime or size changes; the
gateway calls `current()` (cheap: one `stat`) and hands the Router a new pool when it changed.

File format::

    [[models]]
    id = "openrouter/deepseek/deepseek-chat-v3.1:free"
    weight = 2          # optional, default 1

Session stickiness uses weighted rendezvous hashing: each (session key, model) pair gets a score
`-weight / ln(u)` with `u` uniform in (0, 1) from a hash; the highest score wins. A model wins a
share of sessions equal to its share of the weights, a session stays on its model while that model
is in the pool, and removing a model moves only that model's sessions.
"""

from __future__ import annotations

import hashlib
import math
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from benchroute.catalog.model import Catalog
from benchroute.wire.canonical import ChatRequest
from benchroute.wire.context import client_session_id, conversation_hash


@dataclass(frozen=True, slots=True)
class FreePool:
    models: tuple[tuple[str, float], ...] = ()  # (catalog id, weight > 0)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> FreePool:
        """Every free model of the catalog, weight 1 (the pool when no file is configured)."""
        return cls(tuple((m.id, 1.0) for m in sorted(catalog.free_models(), key=lambda m: m.id)))

    @classmethod
    def from_toml(cls, text: str) -> FreePool:
        doc = tomllib.loads(text)
        rows = doc.get("models", [])
        if not isinstance(rows, list):
            raise ValueError("free pool: 'models' must be an array of tables ([[models]])")
        out: list[tuple[str, float]] = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                raise ValueError(f"free pool: models[{i}] needs a string 'id'")
            weight = row.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                raise ValueError(f"free pool: models[{i}].weight must be a positive number")
            out.append((row["id"], float(weight)))
        return cls(tuple(out))

    def ids(self) -> list[str]:
        return [m for m, _ in self.models]

    def ranked(self, key: str, usable: Iterable[str] | None = None) -> list[str]:
        """Pool models in rendezvous order for `key` (best first), only those in `usable` if given."""
        keep = None if usable is None else set(usable)
        scored = [
            (_score(key, model, weight), model)
            for model, weight in self.models
            if keep is None or model in keep
        ]
        scored.sort(key=lambda sm: (-sm[0], sm[1]))
        return [m for _, m in scored]


def fallback_key(request: ChatRequest) -> str:
    """The session key when the caller passes none: the client's session id, else the
    conversation hash (the same recipe as the session service's, both in `wire.context`)."""
    return client_session_id(request.context) or conversation_hash(request)


def _score(key: str, model: str, weight: float) -> float:
    digest = hashlib.blake2b(f"{key}\x00{model}".encode(), digest_size=8).digest()
    u = (int.from_bytes(digest, "big") + 0.5) / 2.0**64  # uniform in (0, 1)
    return -weight / math.log(u)


class FreePoolSource:
    """Reads the pool file and re-reads it when it changes; keeps the last good pool on errors."""

    def __init__(self, path: str | Path | None, fallback: FreePool) -> None:
        self.path = Path(path) if path else None
        self.fallback = fallback
        self._pool = fallback
        self._stamp: tuple[int, int] | None = None
        self.last_error: str | None = None

    def current(self) -> FreePool:
        """The pool now: reloaded when the file's (mtime, size) changed since the last look."""
        if self.path is None:
            return self._pool
        try:
            st = os.stat(self.path)
        except OSError as exc:
            self.last_error = f"{self.path}: {exc.strerror or exc}"
            return self._pool
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._pool = FreePool.from_toml(self.path.read_text(encoding="utf-8"))
                self.last_error = None
            except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
                self.last_error = f"{self.path}: {exc}"
        return self._pool
