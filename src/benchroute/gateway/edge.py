"""The gateway's HTTP edge: request limits enforced while the bytes arrive, before anything is
buffered or parsed, on every route (API and dashboard). The protocol (`gateway.protocol`) enforces
them; this module says what they are and how a rejection is answered.

A plain httptools protocol (uvicorn's) holds a whole request head before the app sees it (and
httptools joins a header value's pieces by concatenation, so one 60 MB value costs seconds of loop
time), accepts any `Content-Length`, and never times out a head or a body that is still arriving.
The gateway's protocol counts as it reads:

- a head (request line and headers) over `max_head_bytes`, more than `max_header_count` headers or
  more than `max_header_bytes` of names and values -> 431;
- a head not complete within `header_timeout` seconds of the connection (or of the previous
  response) -> 408, or a silent close when the client sent nothing;
- a body declared or counted over the route's limit (`max_body_bytes`; `form_body_bytes` under
  `/dashboard`) -> 413;
- a body not complete within `body_timeout` seconds of its head -> 408 (unless the response
  already started).

The answer goes straight to the socket in the API's error shape (Anthropic's on `…/messages`), the
write side is shut, and what the client still sends is read and dropped for up to
`LINGER_SECONDS` (and the body it declared, at most `LINGER_DECLARED_BYTES`; 256 KB otherwise)
so it can read the answer instead of a connection reset. Dropping costs loop time, so a flood is
not read for long.
"""

from __future__ import annotations

import http
from dataclasses import dataclass

from benchroute.settings import ServerSettings
from benchroute.wire.error_body import dialect_of, error_json

LINGER_SECONDS = 2.0  # how long a rejected client may keep sending (read and dropped) before the close
LINGER_BYTES = 256 * 1024  # ... and how much of it (a declared body: up to LINGER_DECLARED_BYTES of it)
LINGER_DECLARED_BYTES = 16 * 1024 * 1024
REQUEST_LINE_BYTES = 16 * 1024  # room for the request line in the raw head budget
FORM_BODY_BYTES = 64 * 1024  # dashboard forms (sign-in, settings) are small
FORM_PREFIXES = ("/dashboard",)
# in a request's scope["extensions"] when the gateway's protocol enforces these limits
EDGE_EXTENSION = "benchroute.edge"


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    max_header_count: int
    max_header_bytes: int
    max_body_bytes: int
    header_timeout: float
    body_timeout: float = 60.0
    form_body_bytes: int = FORM_BODY_BYTES

    @property
    def max_head_bytes(self) -> int:
        """Raw bytes a head may take: the request line, names, values and their separators."""
        return REQUEST_LINE_BYTES + self.max_header_bytes + 4 * self.max_header_count

    @classmethod
    def from_server(cls, server: ServerSettings) -> EdgeLimits:
        return cls(
            max_header_count=server.max_header_count,
            max_header_bytes=server.max_header_bytes,
            max_body_bytes=server.max_body_bytes,
            header_timeout=server.header_timeout,
            body_timeout=server.body_timeout,
        )

    def body_limit(self, path: str) -> int:
        if path.startswith(FORM_PREFIXES):
            return min(self.form_body_bytes, self.max_body_bytes)
        return self.max_body_bytes


class Rejected(Exception):
    """Raised inside a parser callback: answer `status` and close."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def error_response(path: str, status: int, message: str, code: str) -> bytes:
    """A complete HTTP/1.1 response carrying the error in the API's shape, closing the connection."""
    body = error_json(dialect_of(path), status, message, code=code)
    head = (
        f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body
