"""The dashboard's signed session cookie and its CSRF token.

The cookie holds who signed in (key id, project, admin) and a per-session CSRF token, as
base64url(JSON) "." base64url(HMAC-SHA256). The signing key is derived from the server secret
(`store/crypto.py: ensure_secret`), so a restart keeps sessions and no one without the secret
can forge one. A visitor who has not signed in still gets a cookie with a CSRF token, so the
sign-in form is protected too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

COOKIE_NAME = "benchroute_dashboard"
MAX_AGE_SECONDS = 12 * 3600
_KEY_LABEL = b"benchroute dashboard session v1"


@dataclass(frozen=True, slots=True)
class Session:
    """One browser's session; `key_id` is None until it signs in."""

    csrf: str
    key_id: str | None = None
    project: str | None = None
    admin: bool = False
    issued: float = 0.0

    @property
    def signed_in(self) -> bool:
        return self.key_id is not None and self.project is not None

    def can_see(self, project: str) -> bool:
        return self.signed_in and (self.admin or project == self.project)

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), (token or "").encode())


def new_session(
    *, key_id: str | None = None, project: str | None = None, admin: bool = False, now: float | None = None
) -> Session:
    """A session with a fresh CSRF token (a new one at every sign-in and sign-out)."""
    return Session(
        csrf=secrets.token_urlsafe(24),
        key_id=key_id,
        project=project,
        admin=admin,
        issued=time.time() if now is None else now,
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Signs and verifies session cookies. Holds only the derived key; its repr shows nothing."""

    __slots__ = ("_clock", "_key", "_max_age")

    def __init__(
        self,
        server_secret: str,
        *,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not server_secret:
            raise ValueError("the server secret is empty")
        self._key = hmac.new(server_secret.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()
        self._max_age = max_age
        self._clock = clock

    def __repr__(self) -> str:
        return "SessionCodec(<hidden>)"

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def encode(self, session: Session) -> str:
        doc: dict[str, Any] = {"c": session.csrf, "t": session.issued}
        if session.signed_in:
            doc.update(k=session.key_id, p=session.project, a=session.admin)
        body = _b64(orjson.dumps(doc))
        return f"{body}.{self._sign(body)}"

    def decode(self, value: str | None) -> Session | None:
        """The session in a cookie value, or None when it is missing, forged, malformed or expired."""
        if not value or value.count(".") != 1:
            return None
        body, signature = value.split(".")
        try:
            if not hmac.compare_digest(self._sign(body).encode(), signature.encode()):
                return None
            doc = orjson.loads(_unb64(body))
        except (ValueError, UnicodeError):
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("c"), str):
            return None
        issued = doc.get("t")
        if not isinstance(issued, int | float) or self._clock() - issued > self._max_age:
            return None
        key_id, project = doc.get("k"), doc.get("p")
        if not (isinstance(key_id, str) and isinstance(project, str)):
            key_id = project = None
        return Session(
            csrf=doc["c"], key_id=key_id, project=project, admin=doc.get("a") is True, issued=float(issued)
        )

    @property
    def max_age(self) -> int:
        return int(self._max_age)
