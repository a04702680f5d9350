"""The gateway's HTTP/1.1 server protocol: httptools parsing, the edge limits (`gateway.edge`)
enforced while the bytes arrive, and one `Cycle` (`gateway.cycle`) per request running the ASGI app.

uvicorn runs it (`http=` in its config: the server, the sockets, lifespan, shutdown) in place of its
own httptools protocol, which it follows: keep-alive, pipelined requests, flow control, `Expect:
100-continue`, HEAD, `limit_concurrency`, the access log, graceful shutdown. What differs is the
cost per request and the limits:

- every deadline of a connection (the idle keep-alive, the head, the body) is one float and one
  lazily re-armed timer: a request moves the deadline, it does not create and cancel timers
  (uvicorn: a keep-alive timer per response; the head timer; `asyncio.timeout_at` per body read);
- a body not complete within `body_timeout` of its head -> 408, enforced here for every route;
- the scope says so (`extensions["benchroute.edge"]`, with the request's `Cycle`): the app then
  skips its own header and body-deadline checks (`limits.RequestGuard`, for any other ASGI
  server), reads whether the response started from the cycle instead of wrapping `send`
  (`middleware.CatchAll`), and is told of a disconnect by `Cycle.watch` instead of a task waiting
  on `receive` (`pipeline`);
- an app with hot paths of its own (`GatewayApp.edge_endpoint`: the pipeline's POST paths) has
  them called straight, without its `__call__` and dispatch in between (two coroutines less per
  request).

WebSocket upgrades are not served (the gateway has no WebSocket route): such a request is answered
as plain HTTP, as uvicorn does without a WebSocket library.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections import deque
from typing import Any

import httptools
from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT, FlowControl, service_unavailable
from uvicorn.protocols.utils import get_local_addr, get_remote_addr, is_ssl

from benchroute.gateway.cycle import Cycle, DefaultHead, render_defaults
from benchroute.gateway.edge import (
    EDGE_EXTENSION,
    LINGER_BYTES,
    LINGER_DECLARED_BYTES,
    LINGER_SECONDS,
    EdgeLimits,
    Rejected,
    error_response,
)
from benchroute.settings import ServerSettings

IDLE, HEAD, BODY, BUSY = range(4)  # what the connection's deadline is for (BUSY: none)
MIN_TICK = 0.01  # seconds: the deadline timer re-arms at most this often


class GatewayProtocol(asyncio.Protocol):
    """One client connection (see the module docstring); `limits` is set per server (`server.py`)."""

    limits: EdgeLimits = EdgeLimits.from_server(ServerSettings())

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any], _loop: Any = None) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.app = config.loaded_app
        # the app's own dispatch for its hot paths (`GatewayApp.edge_endpoint`), when it has one
        # and uvicorn did not wrap it (proxy headers, trace logging): fewer layers per request
        self._endpoint_for: Any = getattr(self.app, "edge_endpoint", None)
        self.loop: asyncio.AbstractEventLoop = _loop or asyncio.get_event_loop()
        self.logger = logging.getLogger("uvicorn.error")
        self.access_logger = logging.getLogger("uvicorn.access")
        self.access_log = self.access_logger.hasHandlers()
        self.parser = httptools.HttpRequestParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self.root_path: str = config.root_path
        self._root_path_bytes = self.root_path.encode("ascii")
        self.limit_concurrency = config.limit_concurrency
        self.app_state = app_state
        self.server_state = server_state
        self.connections = server_state.connections
        self.tasks: set[asyncio.Task[None]] = server_state.tasks
        # `default_head`: the server's default headers rendered, for the list they came from
        self._defaults_of: list[tuple[bytes, bytes]] | None = None
        self._defaults: DefaultHead = (b"", ())
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.flow: FlowControl = None  # type: ignore[assignment]
        self.pipeline: deque[tuple[Cycle, Any, dict[str, Any]]] = deque()
        self.cycle: Cycle | None = None
        self._scope: dict[str, Any] = {}
        self._base: dict[str, Any] = {}  # what every scope of this connection shares
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self._expect_100 = False
        # the edge
        limits = self.limits
        # (a floor: a timeout of 0 must not make the timer spin)
        self._tick = max(MIN_TICK, min(config.timeout_keep_alive, limits.header_timeout, limits.body_timeout))
        self._idle_timeout = min(config.timeout_keep_alive, limits.header_timeout)
        self._phase = IDLE
        self._deadline = 0.0
        self._idle_since = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._awaiting_head = True
        self._head_bytes = 0
        self._header_count = 0
        self._header_bytes = 0
        self._max_header_count = limits.max_header_count  # (read per header: attributes of self)
        self._max_header_bytes = limits.max_header_bytes
        self._max_head_bytes = limits.max_head_bytes
        self._body_bytes = 0
        self._body_limit = limits.max_body_bytes
        self._declared: int | None = None
        self._lingering = 0
        self._linger_limit = LINGER_BYTES
        self._rejected = False

    # ---- the connection --------------------------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        self.connections.add(self)
        self.transport = transport
        self.flow = FlowControl(transport)
        self._base = {
            "type": "http",
            "asgi": {"version": self.config.asgi_version, "spec_version": "2.3"},
            "http_version": "1.1",
            "server": get_local_addr(transport),
            "client": get_remote_addr(transport),
            "scheme": "https" if is_ssl(transport) else "http",
            "root_path": self.root_path,
        }
        self._idle_since = self.loop.time()
        self._set_deadline(IDLE, self._idle_since + self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self._phase = BUSY
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        cycle = self.cycle
        if cycle is not None:
            if not cycle.response_complete:
                cycle.disconnect()
            else:
                cycle.wake()
        if self.flow is not None:
            self.flow.resume_writing()
        if exc is None:
            self.transport.close()
        self.parser = None  # type: ignore[assignment]

    def eof_received(self) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        if self._rejected:
            self._linger(len(data))
            return
        if self._phase == IDLE:  # the next head began: its clock started with the connection / last response
            self._phase = HEAD
            self._deadline = self._idle_since + self.limits.header_timeout
        if self._awaiting_head:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.logger.warning("Unsupported upgrade request.")
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
                self._send_400("Invalid HTTP request received.")
            return
        if self._awaiting_head and self._head_bytes > self._max_head_bytes:
            limit = self._max_head_bytes
            self.reject(Rejected(431, f"request head too large: over {limit} bytes", "headers_too_large"))

    def pause_writing(self) -> None:
        self.flow.pause_writing()

    def resume_writing(self) -> None:
        self.flow.resume_writing()

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: close when idle, else after the response in progress."""
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()
        else:
            self.cycle.keep_alive = False

    # ---- parser callbacks ------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.url = b""
        self._expect_100 = False
        self.headers = []
        self._declared = None
        self._header_count = self._header_bytes = self._body_bytes = 0
        self._scope = {
            **self._base,
            "headers": self.headers,
            "state": self.app_state.copy(),
        }

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        count = self._header_count = self._header_count + 1
        size = self._header_bytes = self._header_bytes + len(name) + len(value)
        if count > self._max_header_count or size > self._max_header_bytes:
            self._too_many_headers(count)
        name = name.lower()
        value = value.rstrip(b" \t")  # llhttp keeps trailing whitespace (RFC 9110 5.5 excludes it)
        if name == b"content-length":
            try:
                self._declared = int(value)
            except ValueError:
                pass  # httptools rejects a malformed length itself
        elif name == b"expect" and value.lower() == b"100-continue":
            self._expect_100 = True
        self.headers.append((name, value))

    def _too_many_headers(self, count: int) -> None:
        limits = self.limits
        if count > limits.max_header_count:
            message = f"too many request headers: over {limits.max_header_count}"
            raise Rejected(431, message, "headers_too_large")
        message = f"request headers too large: over {limits.max_header_bytes} bytes"
        raise Rejected(431, message, "headers_too_large")

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._head_bytes = 0
        parser = self.parser
        scope = self._scope
        scope["method"] = parser.get_method().decode("ascii")
        http_version = parser.get_http_version()
        if http_version != "1.1":
            scope["http_version"] = http_version
        parsed = httptools.parse_url(self.url)
        raw_path = parsed.path
        path = encoded = raw_path.decode("ascii")
        if "%" in path:
            path = urllib.parse.unquote(path)
        scope["path"] = self.root_path + path
        scope["raw_path"] = self._root_path_bytes + raw_path
        scope["query_string"] = parsed.query or b""
        self._body_limit = limit = self.limits.body_limit(encoded)
        declared = self._declared
        if declared is not None:
            # a client that said how much it sends may finish sending it (within reason) and read
            # the answer; a flood of unknown length is cut off sooner
            self._linger_limit = max(LINGER_BYTES, min(declared, LINGER_DECLARED_BYTES))
            if declared > limit:
                message = f"request body too large: {declared} bytes (limit {limit})"
                raise Rejected(413, message, "body_too_large")
        app = self.app
        endpoint_for = self._endpoint_for
        if endpoint_for is not None:
            endpoint = endpoint_for(scope["method"], scope["path"])
            if endpoint is not None:
                scope["app"] = app
                app = endpoint
        if self.limit_concurrency is not None and (
            len(self.connections) >= self.limit_concurrency or len(self.tasks) >= self.limit_concurrency
        ):
            app = service_unavailable
            self.logger.warning("Exceeded concurrency limit.")
        keep_alive = http_version != "1.0" and parser.should_keep_alive()
        existing = self.cycle
        self.cycle = cycle = Cycle(self, scope, keep_alive, self._expect_100)
        scope["extensions"] = {EDGE_EXTENSION: {"cycle": cycle}}
        self._set_deadline(BODY, self.loop.time() + self.limits.body_timeout)
        if existing is None or existing.response_complete:
            self._start(cycle, app, scope)
        else:  # a pipelined request waits for the one before it
            self.flow.pause_reading()
            self.pipeline.appendleft((cycle, app, scope))

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self._body_limit:
            raise Rejected(413, f"request body too large: over {self._body_limit} bytes", "body_too_large")
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return
        cycle.add_body(body)
        if cycle.body_size > HIGH_WATER_LIMIT:
            self.flow.pause_reading()

    def on_message_complete(self) -> None:
        self._awaiting_head = True
        if self._phase == BODY:
            self._phase = BUSY
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return
        cycle.more_body = False
        cycle.wake()

    # ---- running requests ------------------------------------------------------------------------

    def _start(self, cycle: Cycle, app: Any, scope: dict[str, Any]) -> None:
        task = cycle.task = self.loop.create_task(cycle.run(app, scope))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    def default_head(self) -> DefaultHead:
        """The server's default headers as of now, rendered once per list (uvicorn makes a new one
        each second, with the new date)."""
        current = self.server_state.default_headers
        if current is not self._defaults_of:
            self._defaults_of = current
            self._defaults = render_defaults(current)
        return self._defaults

    def response_done(self, cycle: Cycle) -> None:
        """A response's last byte is written: start the next pipelined request, or wait idle."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # (the call only when it has something to do)
            self.flow.resume_reading()
        if self.pipeline:
            self._phase = BUSY
            self._start(*self.pipeline.pop())
            return
        self._idle_since = now = self.loop.time()
        # bytes of the next request already here (or the rest of a body the app did not read)
        # count from now, as the head timeout does
        self._set_deadline(IDLE, now + self._idle_timeout)

    # ---- deadlines -------------------------------------------------------------------------------

    def _set_deadline(self, phase: int, deadline: float) -> None:
        """The timer fires at most `_tick` after it was armed, and every deadline is at least
        `_tick` away when set: so it never fires late, and moving a deadline touches no timer."""
        self._phase = phase
        self._deadline = deadline
        if self._timer is None:
            self._timer = self.loop.call_at(min(deadline, self.loop.time() + self._tick), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if self._phase == BUSY or self._rejected or self.transport.is_closing():
            return
        now = self.loop.time()
        if now < self._deadline:
            self._timer = self.loop.call_at(min(self._deadline, now + self._tick), self._on_timer)
            return
        phase = self._phase
        if phase == BODY:
            cycle = self.cycle
            if cycle is not None and not cycle.response_started:
                message = f"request body too slow: not complete within {self.limits.body_timeout:g} s"
                self.reject(Rejected(408, message, "body_timeout"))
            return
        if phase == IDLE or self._head_bytes == 0:
            self.transport.close()  # an idle connection: nothing to answer
            return
        message = f"request head too slow: not complete within {self.limits.header_timeout:g} s"
        self.reject(Rejected(408, message, "header_timeout"))

    # ---- rejecting -------------------------------------------------------------------------------

    def reject(self, rejection: Rejected) -> None:
        """Answer `rejection` (unless a response is under way), shut the write side, drop what
        the client still sends for a while, then close."""
        self._rejected = True
        self._phase = BUSY
        cycle = self.cycle
        answered = cycle is not None and not cycle.response_complete and cycle.response_started
        if cycle is not None and not cycle.response_complete:
            cycle.disconnect()  # the app's receive() says so; its sends are dropped
        transport = self.transport
        if transport.is_closing():
            return
        if answered:
            cycle.flush()  # type: ignore[union-attr]  # a head held for its body goes out now
        else:
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
        return self.url.split(b"?", 1)[0].decode("latin-1")

    def _send_400(self, msg: str) -> None:
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content += (name, b": ", value, b"\r\n")
        content += (
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: " + str(len(msg)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
            msg.encode("ascii"),
        )
        self.transport.write(b"".join(content))
        self.transport.close()
