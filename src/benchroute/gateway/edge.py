"""The gateway's HTTP edge: request limits enforced while the bytes arrive, before anything is
buffered or parsed, on every route (API and dashboard).

uvicorn's httptools protocol holds a whole request head before the app sees it (and httptools
joins a header value's pieces by concatenation, so one 60 MB value costs seconds of loop time),
accepts any `Content-Length`, and never times out a head that is still arriving. `EdgeProtocol`
counts as it reads:

- a head (request line and headers) over `max_head_bytes`, more than `max_header_count` headers or
  more than `max_header_bytes` of names and values -> 431;
- a head not complete within `header_timeout` seconds of the connection (or of the previous
  response) -> 408, or a silent close when the client sent nothing;
- a body declared or counted over the route's limit (`max_body_bytes`; `form_body_bytes` under
  `/dashboard`) -> 413.

The answer goes straight to the socket in the API's error shape (Anthropic's on `…/messages`), the
write side is shut, and what the client still sends is read and dropped for up to
`LINGER_SECONDS` (and the body it declared, at most `LINGER_DECLARED_BYTES`; 256 KB otherwise)
so it can read the answer instead of a connection reset. Dropping costs loop time, so a flood is
not read for long.
"""

from __future__ import annotations

import asyncio
import http
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from benchroute.settings import ServerSettings
from benchroute.wire.error_body import dialect_of, error_json

LINGER_SECONDS = 2.0  # how long a rejected client may keep sending (read and dropped) before the close
LINGER_BYTES = 256 * 1024  # ... and how much of it (a declared body: up to LINGER_DECLARED_BYTES of it)
LINGER_DECLARED_BYTES = 16 * 1024 * 1024
REQUEST_LINE_BYTES = 16 * 1024  # room for the request line in the raw head budget
FORM_BODY_BYTES = 64 * 1024  # dashboard forms (sign-in, settings) are small
FORM_PREFIXES = ("/dashboard",)


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    max_header_count: int
    max_header_bytes: int
    max_body_bytes: int
    header_timeout: float
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


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # httptools rejects a malformed length itself
    return None


class EdgeProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the edge limits (see the module docstring)."""

    limits: EdgeLimits = EdgeLimits.from_server(ServerSettings())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._awaiting_head = True  # between requests or inside a head
        self._head_bytes = 0  # raw bytes read since the current head began arriving
        self._header_count = 0
        self._header_bytes = 0
        self._body_bytes = 0
        self._body_limit = self.limits.max_body_bytes
        self._head_timer: asyncio.TimerHandle | None = None
        self._lingering = 0  # bytes dropped since the rejection
        self._linger_limit = LINGER_BYTES
        self._rejected = False

    # ---- the connection ------------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._rejected:
            self._linger(len(data))
            return
        self._unset_keepalive_if_required()
        if self._awaiting_head:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            cause, exc.__context__ = exc.__context__, None
            if isinstance(cause, Rejected):
                # Its traceback reaches this frame (and `data`) through f_back: a reference cycle
                # that would keep each rejected chunk alive until a full garbage collection.
                cause.__traceback__ = None
                self.reject(cause)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        if self._awaiting_head and self._head_bytes > self.limits.max_head_bytes:
            limit = self.limits.max_head_bytes
            self.reject(Rejected(431, f"request head too large: over {limit} bytes", "headers_too_large"))

    # ---- parser callbacks ------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_count = self._header_bytes = self._body_bytes = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._header_bytes += len(name) + len(value)
        if self._header_count > self.limits.max_header_count:
            message = f"too many request headers: over {self.limits.max_header_count}"
            raise Rejected(431, message, "headers_too_large")
        if self._header_bytes > self.limits.max_header_bytes:
            message = f"request headers too large: over {self.limits.max_header_bytes} bytes"
            raise Rejected(431, message, "headers_too_large")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        self._awaiting_head = False
        self._head_bytes = 0
        path = self._path()
        self._body_limit = self.limits.body_limit(path)
        declared = _declared_length(self.headers)
        if declared is not None:
            # a client that said how much it sends may finish sending it (within reason) and read
            # the answer; a flood of unknown length is cut off sooner
            self._linger_limit = max(LINGER_BYTES, min(declared, LINGER_DECLARED_BYTES))
        if declared is not None and declared > self._body_limit:
            message = f"request body too large: {declared} bytes (limit {self._body_limit})"
            raise Rejected(413, message, "body_too_large")
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self._body_limit:
            message = f"request body too large: over {self._body_limit} bytes"
            raise Rejected(413, message, "body_too_large")
        super().on_body(body)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._awaiting_head = True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()

    # ---- rejecting -------------------------------------------------------------------------------

    def reject(self, rejection: Rejected) -> None:
        """Answer `rejection` (unless a response is under way), shut the write side, drop what
        the client still sends for a while, then close."""
        self._cancel_head_timer()
        self._rejected = True
        cycle = self.cycle
        answered = cycle is not None and not cycle.response_complete and cycle.response_started
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's receive() says so; its sends are dropped
            cycle.message_event.set()
        transport = self.transport
        if transport.is_closing():
            return
        if not answered:
            transport.write(error_response(self._path(), rejection.status, rejection.message, rejection.code))
        if transport.can_write_eof():
            transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(LINGER_SECONDS, transport.close)

    def _linger(self, size: int) -> None:
        self._lingering += size
        if self._lingering > self._linger_limit and not self.transport.is_closing():
            self.transport.close()

    def _path(self) -> str:
        url: bytes = getattr(self, "url", b"") or b""
        return url.split(b"?", 1)[0].decode("latin-1")

    # ---- the head timeout ------------------------------------------------------------------------

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self._rejected:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being served; the next head's clock starts when it ends
        if self._head_bytes == 0:
            self.transport.close()  # an idle connection: nothing to answer
            return
        timeout = self.limits.header_timeout
        self.reject(
            Rejected(408, f"request head too slow: not complete within {timeout:g} s", "header_timeout")
        )
