"""The upstream HTTP client: HTTP/1.1 over pooled keep-alive connections, on asyncio protocols,
with httptools (the parser uvicorn uses) reading the answers.

Why not aiohttp: a non-streamed call through aiohttp's `ClientSession` cost ~270 us of CPU on
this machine against ~70 us for the same call on a bare protocol
(`benchmarks/overhead/README.md`); at one client that was a fifth of the gateway's CPU per request.

- One request at a time per connection. Idle connections are kept per (scheme, host, port) for
  `keepalive_timeout` seconds, the most recently used first; a response that was not read to its
  end, or that says `Connection: close`, closes its connection instead.
- `connect_timeout` bounds the TCP (and TLS) connect; `read_timeout` bounds every silence while
  waiting for the answer (its head, then each piece of the body). There is no total timeout.
- A reused connection the server closed while it was idle (closed before any byte of the answer
  arrived) is retried once on a new connection.
- Failures are `TimeoutError` or `OSError`s (`UpstreamClosed`, `MalformedResponse`, the socket's
  own); `providers.http.error_from_exception` maps them to `ProviderError`s.
- gzip / deflate bodies are decoded (none is asked for: no `Accept-Encoding` is sent).
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from types import MappingProxyType, TracebackType
from typing import Any, cast

import httptools

from benchroute.providers.client_request import Origin, Url, finish_head, head_prefix, split_url

MAX_CACHED_URLS = 256
DRAIN_SECONDS = 5.0  # how long a released answer's last bytes may take to arrive
DRAIN_BYTES = 64 * 1024  # more than that after release: not worth keeping the connection
NO_HEADERS: Mapping[str, str] = MappingProxyType({})
CLOCK_SLACK = 0.001  # seconds: a deadline this close is reached (no re-arming within a clock tick)


class UpstreamClosed(ConnectionError):
    """The upstream closed the connection before its answer was complete."""


class MalformedResponse(ConnectionError):
    """The upstream's answer is not HTTP/1.1 this client can read."""


class Response:
    """One answer, read as it arrives. `release()` (read to its end: the connection goes back to
    the pool) or `close()` when done; both may be called more than once."""

    __slots__ = (
        "_chunks",
        "_conn",
        "_decoder",
        "_drain",
        "_drained",
        "_error",
        "_header_list",
        "_timeout",
        "_waiter",
        "complete",
        "has_head",
        "headers",
        "received",
        "status",
    )

    def __init__(self, conn: Connection, timeout: float) -> None:
        self._conn = conn
        self._timeout = timeout
        self._chunks: list[bytes] = []
        self._header_list: list[tuple[bytes, bytes]] = []
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None
        self._decoder: Any = None
        self.status = 0
        self.headers: dict[str, str] = {}  # lower-case names; repeated headers joined with ", "
        self.has_head = False
        self.complete = False
        self.received = False  # any byte of the answer arrived
        self._drain: asyncio.TimerHandle | None = None  # released early: waiting for the end
        self._drained = 0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    # ---- fed by the connection -------------------------------------------------------------

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _on_head(self, status: int) -> None:
        headers = self.headers
        for raw_name, raw_value in self._header_list:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self.status = status
        self.has_head = True
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "deflate", "x-gzip"):
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib framing
        self._wake()

    def _on_body(self, body: bytes) -> None:
        if self._drain is not None:  # released: the caller reads no more; only count what comes
            self._drained += len(body)
            if self._drained > DRAIN_BYTES:
                self.close()
            return
        self._chunks.append(self._decoder.decompress(body) if self._decoder is not None else body)
        self._wake()

    def _on_complete(self) -> None:
        self.complete = True
        if self._drain is not None:
            self._drain.cancel()
            self._drain = None
            self._conn.done(self)
            return
        self._wake()

    def _fail(self, error: BaseException) -> None:
        if self._drain is not None:
            self._drain.cancel()
            self._drain = None
        if self._error is None:
            self._error = error
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    # ---- read by the caller ------------------------------------------------------------------

    async def _wait(self) -> None:
        """Until something arrives, the answer ends or fails, or `timeout` seconds of silence."""
        if self._error is not None:
            raise self._error
        conn = self._conn
        waiter = self._waiter = conn.loop.create_future()
        conn.watch_silence(self._timeout)
        try:
            await waiter
        finally:
            self._waiter = None

    def _timed_out(self) -> None:
        """The connection's silence timer: this answer's wait saw nothing for its timeout."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._conn.close()
            waiter.set_exception(TimeoutError("upstream read timed out"))

    async def _head(self) -> None:
        while not self.has_head:
            await self._wait()

    async def read(self) -> bytes:
        """The whole body."""
        while not self.complete:
            await self._wait()
        chunks = self._chunks
        if self._decoder is not None:
            chunks.append(self._decoder.flush())
        self._chunks = []
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        """The body's pieces as they arrive (what arrived together, joined)."""
        while True:
            if self._chunks:
                chunks, self._chunks = self._chunks, []
                yield chunks[0] if len(chunks) == 1 else b"".join(chunks)
            elif self.complete:
                return
            else:
                await self._wait()

    def release(self) -> None:
        """Back to the pool when read to its end and the connection may be kept; else closed.

        A stream is released as soon as its end marker (`data: [DONE]`) is read, and its body's
        last bytes (the chunked terminator) have often not arrived yet: closing then would cost
        every stream a new TCP connect to the upstream (~8% of the gateway's CPU at 64 streams).
        So an answer released before its end waits up to `DRAIN_SECONDS` (and `DRAIN_BYTES`)
        for it, off the caller's path, and then goes back to the pool; else it is closed."""
        conn = self._conn
        if self.complete or conn.closed or self._error is not None or not self.has_head:
            conn.done(self)
        elif self._drain is None:
            self._drained = 0
            self._drain = conn.loop.call_later(DRAIN_SECONDS, self.close)

    def close(self) -> None:
        if self._drain is not None:
            self._drain.cancel()
            self._drain = None
        self._conn.close()


class Connection(asyncio.Protocol):
    """One keep-alive connection to an origin, answering one request at a time."""

    def __init__(self, client: UpstreamClient, origin: Origin) -> None:
        self.client = client
        self.origin = origin
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.response: Response | None = None
        self.closed = False
        self.idle_until = 0.0
        self._by_length = False  # the current answer's end is known (length or chunked)
        self._keep_alive = False  # the current answer lets the connection be reused
        # A wait for the answer times out at `_deadline`: one timer per connection, re-armed
        # lazily (a wait moves the deadline, it does not create and cancel a timer: ~2 us of
        # uvloop's per call); it fires at `_timer_at` and does nothing when nobody waits.
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    # ---- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not an asyncio subclass

    def data_received(self, data: bytes) -> None:
        response = self.response
        if response is None:  # nothing was asked: a broken server
            self.close()
            return
        response.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            response._fail(MalformedResponse(f"malformed HTTP answer: {exc}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._stop_timer()
        response = self.response
        if response is not None and not response.complete:
            if response.has_head and not self._by_length:
                response._on_complete()  # a body delimited by the connection's close
            else:
                response._fail(UpstreamClosed("upstream closed the connection before the answer ended"))

    # ---- httptools callbacks -------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self.response is not None
        self.response._header_list.append((name, value))

    def on_headers_complete(self) -> None:
        assert self.response is not None
        self.response._on_head(self.parser.get_status_code())
        headers = self.response.headers
        self._by_length = "content-length" in headers or "chunked" in headers.get("transfer-encoding", "")
        self._keep_alive = self.parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        assert self.response is not None
        self.response._on_body(body)

    def on_message_complete(self) -> None:
        assert self.response is not None
        self.response._on_complete()

    # ---- the client's side -----------------------------------------------------------------------

    def send(self, head: bytes, body: bytes, timeout: float) -> Response:
        assert self.transport is not None
        self.response = response = Response(self, timeout)
        self.transport.write(head + body if body else head)
        return response

    def done(self, response: Response) -> None:
        if self.response is not response:
            return
        if self.closed or not response.complete or not self._keep_alive:
            self.close()
            return
        self.response = None
        self.client._put_back(self)

    def close(self) -> None:
        self.closed = True
        self._stop_timer()
        if self.transport is not None:
            self.transport.close()

    # ---- the silence timer -----------------------------------------------------------------------

    def watch_silence(self, timeout: float) -> None:
        """The current answer's wait fails after `timeout` seconds without a byte."""
        self._deadline = deadline = self.loop.time() + timeout
        timer = self._timer
        if timer is not None:
            if self._timer_at <= deadline:
                return  # it fires first, and moves on to the deadline
            timer.cancel()  # a shorter timeout than the armed one
        self._timer_at = deadline
        self._timer = self.loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        response = self.response
        if self.closed or response is None or response._waiter is None:
            return  # nobody waits: the next wait arms it again
        if self.loop.time() + CLOCK_SLACK < self._deadline:  # (uvloop's clock counts milliseconds)
            self._timer_at = self._deadline
            self._timer = self.loop.call_at(self._deadline, self._on_timer)
            return
        response._timed_out()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class UpstreamClient:
    """The pool and the timeouts; one per gateway process, shared by every provider."""

    def __init__(
        self, *, connect_timeout: float = 10.0, read_timeout: float = 300.0, keepalive_timeout: float = 60.0
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keepalive_timeout = keepalive_timeout
        self.closed = False
        self._idle: dict[Origin, list[Connection]] = {}
        self._urls: dict[str, Url] = {}
        self._heads: dict[tuple[str, str, tuple[tuple[str, str], ...]], bytes] = {}
        self._tls: ssl.SSLContext | None = None

    async def __aenter__(self) -> UpstreamClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        self.closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()

    def idle_connections(self, url: str) -> int:
        """How many connections to `url`'s origin wait in the pool."""
        return len(self._idle.get(self._url(url).origin, ()))

    def _url(self, url: str) -> Url:
        split = self._urls.get(url)
        if split is None:
            if len(self._urls) >= MAX_CACHED_URLS:
                self._urls.clear()
            split = self._urls[url] = split_url(url)
        return split

    async def request(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        headers: Mapping[str, str] = NO_HEADERS,
        read_timeout: float | None = None,
    ) -> Response:
        """Send one request and wait for the answer's head; the caller releases or closes it.
        `read_timeout`: this call's connect and read timeout instead of the client's. (Callers on
        the request path pass everything by position: keywords cost more than this call's work.)"""
        if self.closed:
            raise RuntimeError("the upstream client is closed")
        split = self._url(url)
        length = len(body) if body or method == "POST" else None
        head = finish_head(self._prefix(method, url, split, headers), length)
        connect_within = self.connect_timeout if read_timeout is None else read_timeout
        read_within = self.read_timeout if read_timeout is None else read_timeout
        for attempt in (0, 1):
            conn = self._take(split.origin)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(split.origin, connect_within)
            response = conn.send(head, body, read_within)
            try:
                await response._head()
            except UpstreamClosed:
                conn.close()
                if reused and not response.received and attempt == 0:
                    continue  # closed while idle: the request never reached the server
                raise
            except BaseException:
                conn.close()
                raise
            return response
        raise AssertionError("unreachable")

    def _prefix(self, method: str, url: str, split: Url, headers: Mapping[str, str]) -> bytes:
        """The head without its length, built once for each method, URL and headers (a provider
        sends the same ones on every call: the request line, Host and ~6 headers checked for
        injected lines and encoded, ~200 bytecodes per request)."""
        key = (method, url, tuple(headers.items()))
        prefix = self._heads.get(key)
        if prefix is None:
            prefix = head_prefix(method, split, headers)
            if len(self._heads) >= MAX_CACHED_URLS:
                self._heads.clear()
            self._heads[key] = prefix
        return prefix

    def _take(self, origin: Origin) -> Connection | None:
        conns = self._idle.get(origin)
        now = time.monotonic()
        while conns:
            conn = conns.pop()
            if not conn.closed and conn.idle_until > now:
                return conn
            conn.close()
        return None

    def _put_back(self, conn: Connection) -> None:
        if self.closed:
            conn.close()
            return
        conn.idle_until = time.monotonic() + self.keepalive_timeout
        self._idle.setdefault(conn.origin, []).append(conn)

    async def _connect(self, origin: Origin, within: float) -> Connection:
        loop = asyncio.get_running_loop()
        tls: ssl.SSLContext | None = None
        if origin.tls:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        async with asyncio.timeout(within):
            _, conn = await loop.create_connection(
                lambda: Connection(self, origin),
                origin.host,
                origin.port,
                ssl=tls,
                server_hostname=origin.host if tls else None,
            )
        return conn
