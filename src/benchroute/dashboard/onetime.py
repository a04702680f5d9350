"""One-time hand-over of a new gateway key across a redirect (post/redirect/get).

"Create key" stores the secret here under a random token and redirects to the settings page with
`?created=<token>`; that page takes it out (once) and shows it. The token is bound to the browser
session that created it and expires after a few minutes. It lives on the `Dashboard` object
(per gateway process): behind several replicas without sticky sessions the redirect may land on
another one, which then says the key was already shown (the key still exists; create another).
"""

from __future__ import annotations

import secrets
import time

TTL_SECONDS = 300.0
MAX_PENDING = 1000


class OneTimeSecrets:
    def __init__(self) -> None:
        self._pending: dict[str, tuple[str, str, float]] = {}  # token -> (secret, session csrf, expiry)

    def put(self, secret: str, owner: str) -> str:
        self._expire()
        if len(self._pending) >= MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))
        token = secrets.token_urlsafe(18)
        self._pending[token] = (secret, owner, time.monotonic() + TTL_SECONDS)
        return token

    def take(self, token: str, owner: str) -> str | None:
        """The secret, the first time its owner asks; None ever after (or for anyone else)."""
        self._expire()
        entry = self._pending.get(token)
        if entry is None or not secrets.compare_digest(entry[1], owner):
            return None
        del self._pending[token]
        return entry[0]

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, (_, _, expiry) in self._pending.items() if expiry <= now]:
            del self._pending[token]
