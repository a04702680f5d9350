"""One request and its response on a connection of the gateway's HTTP protocol (`gateway.protocol`):
the ASGI `receive` and `send` of that request.

What uvicorn's `RequestResponseCycle` does, with less per request: no `asyncio.Event` (a flag and a
future made only when `receive` has to wait), the body kept as the pieces that arrived (one piece,
the common case, is handed over without a copy), and the response's head held until its first body
write, so that a whole response leaves in one `send` (on loopback each `send` also runs the peer's
receive path). A response with a `content-length` waits for its body; any other (a stream) goes out
at the next turn of the event loop if nothing follows at once, so a client sees a stream's head
while the upstream is still silent. Nothing is reordered: a held head is written before anything
else, and before the connection closes.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, STATUS_LINE
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

log = logging.getLogger("uvicorn.error")

_DISCONNECT = {"type": "http.disconnect"}
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def _allowed(pattern: re.Pattern[bytes]) -> bytes:
    """The byte values a one-byte character class (uvicorn's header checks) does not match."""
    return bytes(b for b in range(256) if pattern.match(bytes((b,))) is None)


# What uvicorn's `HEADER_RE` / `HEADER_VALUE_RE` allow, as `bytes.translate` deletion sets: the
# bytes left after deleting the allowed ones are the invalid ones. The same verdict on every byte
# value (a test checks), in half the instructions of the regex's charset scan (~60 per byte).
NAME_BYTES = _allowed(HEADER_RE)
VALUE_BYTES = _allowed(HEADER_VALUE_RE)
# Header names whose value frames the response or the connection: a response's head reads them.
_FRAMING = frozenset((b"content-length", b"transfer-encoding", b"connection"))

# (the default headers as head lines, the default headers still to go through each response's
# checks): one or the other is empty
DefaultHead = tuple[bytes, Sequence[tuple[bytes, bytes]]]


def render_defaults(headers: Sequence[tuple[bytes, bytes]]) -> DefaultHead:
    """The server's default headers (date, server: uvicorn replaces the list when the date changes)
    rendered and checked once, as each response's head would (names lower-cased): `(lines, ())`.
    When one of them frames the response or the connection, or fails a check, `(b"", headers)`:
    they then go through each response's loop as its own headers do."""
    names = [name.lower() for name, _ in headers]
    values = [value for _, value in headers]
    if (
        _FRAMING.intersection(names)
        or b"".join(names).translate(None, NAME_BYTES)
        or b"".join(values).translate(None, VALUE_BYTES)
    ):
        return b"", headers
    return b"".join(b"%s: %s\r\n" % pair for pair in zip(names, values, strict=True)), ()


_INTERNAL_ERROR = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"content-length", b"21"),
    (b"connection", b"close"),
]


class Connection(Protocol):
    """What a cycle needs of its connection (`protocol.GatewayProtocol`)."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    flow: FlowControl
    access_log: bool
    access_logger: logging.Logger

    def default_head(self) -> DefaultHead:
        """The server's default headers now (`render_defaults` of them)."""
        ...

    def response_done(self, cycle: Cycle) -> None: ...


class Cycle:
    """One request/response. `disconnected`, `response_started`, `response_complete` and
    `keep_alive` are read (and `disconnected` set) by the protocol; `wake` tells a waiting
    `receive` that something happened (body, end of body, disconnect, response complete)."""

    __slots__ = (
        "_held",
        "_on_gone",
        "_waiter",
        "body",
        "body_size",
        "chunked",
        "conn",
        "disconnected",
        "expected_length",
        "head_only",
        "keep_alive",
        "more_body",
        "ready",
        "response_complete",
        "response_started",
        "scope",
        "task",
        "transport",
        "waiting_for_100_continue",
    )

    def __init__(
        self, conn: Connection, scope: dict[str, Any], keep_alive: bool, expect_100_continue: bool
    ) -> None:
        self.conn = conn
        self.transport = conn.transport
        self.scope = scope if conn.access_log else None  # only the access log reads it
        self.head_only = scope["method"] == "HEAD"
        self.keep_alive = keep_alive
        self.waiting_for_100_continue = expect_100_continue
        self.disconnected = False
        self.body: list[bytes] = []
        self.body_size = 0
        self.more_body = True
        self.ready = False  # something for `receive` (uvicorn's message_event, set)
        self._waiter: asyncio.Future[None] | None = None
        self.response_started = False
        self.response_complete = False
        self.chunked: bool | None = None
        self.expected_length = 0
        self._held: bytes | None = None
        self._on_gone: Callable[[], None] | None = None
        self.task: asyncio.Task[None] | None = None  # the task running the app (set by the protocol)

    # ---- from the protocol -----------------------------------------------------------------------

    def add_body(self, body: bytes) -> None:
        self.body.append(body)
        self.body_size += len(body)
        self.wake()

    def disconnect(self) -> None:
        """The client is gone (or the edge cut the request off): `receive` says so, sends are
        dropped, and a watcher (`watch`) is told."""
        self.disconnected = True
        self.wake()
        on_gone, self._on_gone = self._on_gone, None
        if on_gone is not None:
            on_gone()

    def watch(self, on_gone: Callable[[], None] | None) -> None:
        """Call `on_gone` (once) if the client disconnects while the response is incomplete; None
        stops watching. What a task waiting on `receive` would tell, without the task."""
        self._on_gone = on_gone

    def wake(self) -> None:
        self.ready = True
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def run(self, app: Any, scope: dict[str, Any]) -> None:
        """Run the app on this request; what uvicorn does when it fails or answers badly."""
        try:
            result = await app(scope, self.receive, self.send)
        except BaseException as exc:
            log.error("Exception in ASGI application\n", exc_info=exc)
            if not self.response_started:
                await self._send_500()
            else:
                self._close()
        else:
            if result is not None:
                log.error("ASGI callable should return None, but returned '%s'.", result)
                self._close()
            elif not self.response_started and not self.disconnected:
                log.error("ASGI callable returned without starting response.")
                await self._send_500()
            elif not self.response_complete and not self.disconnected:
                log.error("ASGI callable returned without completing response.")
                self._close()
        finally:
            self.conn = None  # type: ignore[assignment]  # no response_done after this

    # ---- ASGI ------------------------------------------------------------------------------------

    async def receive(self) -> dict[str, Any]:
        if self.waiting_for_100_continue and not self.transport.is_closing():
            self.transport.write(_CONTINUE)
            self.waiting_for_100_continue = False
        conn = self.conn
        if conn is not None and not self.disconnected and not self.response_complete:
            flow = conn.flow
            if flow.read_paused:  # (the call only when it has something to do)
                flow.resume_reading()
            if not self.ready:
                waiter = self._waiter = conn.loop.create_future()
                await waiter
            self.ready = False
        if self.disconnected or self.response_complete:
            return _DISCONNECT
        pieces = self.body
        body = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        self.body = []
        self.body_size = 0
        return {"type": "http.request", "body": body, "more_body": self.more_body}

    async def send(self, message: Any) -> None:
        conn = self.conn
        if conn is not None and conn.flow.write_paused and not self.disconnected:
            await conn.flow.drain()
        if self.disconnected:
            return
        kind = message["type"]
        if not self.response_started:
            if kind != "http.response.start":
                raise RuntimeError(f"Expected ASGI message 'http.response.start', but got '{kind}'.")
            self.response_started = True
            self.waiting_for_100_continue = False
            self._held = self._head(message["status"], message.get("headers", ()))
            if self.chunked is not False:  # a stream: its head leaves at the next loop turn at the latest
                asyncio.get_running_loop().call_soon(self.flush)
        elif not self.response_complete:
            if kind != "http.response.body":
                raise RuntimeError(f"Expected ASGI message 'http.response.body', but got '{kind}'.")
            self._body(message.get("body", b""), message.get("more_body", False))
        else:
            raise RuntimeError(f"Unexpected ASGI message '{kind}' sent, after response already completed.")

    # ---- writing ---------------------------------------------------------------------------------

    def _head(self, status: int, headers: Any) -> bytes:
        conn = self.conn
        scope = self.scope  # set only when the access log is on
        if scope is not None:
            conn.access_logger.info(
                '%s - "%s %s HTTP/%s" %d', get_client_addr(scope), scope["method"],  # type: ignore[arg-type]
                get_path_with_query_string(scope), scope["http_version"], status,  # type: ignore[arg-type]
            )  # fmt: skip
        rendered, pending = conn.default_head()
        content = [STATUS_LINE[status], rendered]
        closing = False
        names: list[bytes] = []
        values: list[bytes] = []
        for name, value in (*pending, *headers) if pending else headers:
            names.append(name)
            values.append(value)
            name = name.lower()
            if name == b"content-length" and self.chunked is None:
                self.expected_length = int(value.decode())
                self.chunked = False
            elif name == b"transfer-encoding" and value.lower() == b"chunked":
                self.expected_length = 0
                self.chunked = True
            elif name == b"connection" and b"close" in (t.lower().strip() for t in value.split(b",")):
                self.keep_alive = False
                closing = True
            content += (name, b": ", value, b"\r\n")
        # the checks are of single bytes, so one check over all names (values) finds what one
        # per name (value) would
        if b"".join(names).translate(None, NAME_BYTES):
            raise RuntimeError("Invalid HTTP header name.")
        if b"".join(values).translate(None, VALUE_BYTES):
            raise RuntimeError("Invalid HTTP header value.")
        if not self.keep_alive and not closing:
            content.append(b"connection: close\r\n")
        if self.chunked is None and not self.head_only and status not in (204, 304):
            self.chunked = True  # neither a length nor transfer-encoding
            content.append(b"transfer-encoding: chunked\r\n")
        content.append(b"\r\n")
        return b"".join(content)

    def _body(self, body: bytes, more_body: bool) -> None:
        if self.head_only:
            self.expected_length = 0
            data = b""
        elif self.chunked:
            data = b"%x\r\n%b\r\n" % (len(body), body) if body else b""
            if not more_body:
                data += b"0\r\n\r\n"
        else:
            if len(body) > self.expected_length:
                raise RuntimeError("Response content longer than Content-Length")
            self.expected_length -= len(body)
            data = body
        held = self._held
        if held is not None:
            self._held = None
            data = held + data
        if data:
            self.transport.write(data)
        if not more_body:
            if self.expected_length != 0:
                raise RuntimeError("Response content shorter than Content-Length")
            self.response_complete = True
            self.wake()
            if not self.keep_alive:
                self.transport.close()
            conn = self.conn
            if conn is not None:
                conn.response_done(self)

    def flush(self) -> None:
        """Write a held head now (a stream's, or before the connection closes)."""
        held = self._held
        if held is not None:
            self._held = None
            if not self.transport.is_closing():
                self.transport.write(held)

    def _close(self) -> None:
        self.flush()
        self.transport.close()

    async def _send_500(self) -> None:
        await self.send({"type": "http.response.start", "status": 500, "headers": _INTERNAL_ERROR})
        await self.send({"type": "http.response.body", "body": b"Internal Server Error", "more_body": False})
