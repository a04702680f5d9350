"""Gateway keys: `Authorization: Bearer <key>` or `x-api-key` -> KeyInfo -> project.

Verified keys are cached briefly (hash of the secret -> KeyInfo) so the hot path does not read the
store on every request; a revoked key stops working within the TTL.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchroute.gateway.cache import TTLCache
from benchroute.gateway.errors import GatewayError
from benchroute.quickinit import quick_init
from benchroute.settings import ServerSettings
from benchroute.store.base import KeyInfo, Store

ANONYMOUS = KeyInfo(id="", project="default", name="auth disabled")


@quick_init
@dataclass(frozen=True, slots=True)
class Caller:
    """Who made a request."""

    project: str
    key_id: str | None
    admin: bool = False

    def can_read(self, project: str) -> bool:
        return self.admin or project == self.project

    @property
    def routing_project(self) -> str:
        """The project requests are routed and logged under (an admin key's "*" means default)."""
        return "default" if self.project == "*" else self.project


def bearer_secret(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


class Authenticator:
    def __init__(
        self,
        store: Store,
        server: ServerSettings,
        *,
        ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._enabled = server.auth == "keys"
        self._admin_key = server.admin_key
        self._cache: TTLCache[bytes, KeyInfo | None] = TTLCache(ttl, clock=clock)

    @property
    def enabled(self) -> bool:
        return self._enabled

    async def authenticate(self, headers: dict[str, str]) -> Caller:
        secret = bearer_secret(headers)
        if not self._enabled:
            return Caller(project=ANONYMOUS.project, key_id=None)
        if secret is None:
            scheme = headers.get("authorization", "").partition(" ")[0]
            if scheme and scheme.lower() != "bearer":
                raise GatewayError(
                    401,
                    f"unsupported authorization scheme {scheme[:20]!r}: send the key as "
                    "'Authorization: Bearer <key>' or 'x-api-key: <key>'",
                    code="unsupported_auth_scheme",
                )
            raise GatewayError(
                401,
                "missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>' "
                "(create one with `benchroute keys create --project default`)",
                code="missing_api_key",
            )
        info = await self.verify(secret)
        if info is None or info.revoked:
            raise GatewayError(401, "invalid or revoked API key", code="invalid_api_key")
        return Caller(info.project, info.id, info.admin)  # project, key_id, admin (by position)

    async def verify(self, secret: str) -> KeyInfo | None:
        if self._admin_key and hmac.compare_digest(secret.encode(), self._admin_key.encode()):
            return KeyInfo(id="admin", project="*", name="server.admin_key", admin=True)
        digest = hashlib.sha256(secret.encode()).digest()
        info = self._cache.peek(digest)  # the common case: no coroutine, no closure
        if info is not None:
            return info
        return await self._cache.get(digest, lambda: self._store.verify_key(secret))
