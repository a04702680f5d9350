"""Running the gateway under uvicorn: in this event loop (tests) or as the `serve` process."""

from __future__ import annotations

import asyncio
import gc
import socket
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from benchroute.gateway.edge import EdgeLimits, EdgeProtocol
from benchroute.settings import ServerSettings


def free_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound, listening socket; port 0 picks a free one.

    The protocol is given explicitly: asyncio sets TCP_NODELAY on accepted connections only when
    the listening socket says IPPROTO_TCP, and without it a response's headers and body (two
    writes) wait for the client's delayed ACK (~40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class HeadCoalescingTransport:
    """A transport that sends a response's head together with what is written next.

    uvicorn writes the status line and headers in one `write` and the body in the next: two
    `send` syscalls per response (on loopback each one also runs the peer's TCP receive path).
    A write that starts a response (`HTTP/1.1 `) is held and goes out joined with the next write,
    or on its own at the next turn of the event loop (`call_soon`) if nothing follows at once.
    Nothing is reordered: a held head is always written before anything else.
    """

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + bytes(data))
        elif data[:9] == b"HTTP/1.1 ":
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def writelines(self, list_of_data: Any) -> None:
        self.flush()
        self._transport.writelines(list_of_data)

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GatewayHttpProtocol(EdgeProtocol):
    """uvicorn's httptools protocol with the edge limits, over a `HeadCoalescingTransport`."""

    def connection_made(self, transport: Any) -> None:
        wrapped: Any = HeadCoalescingTransport(transport, self.loop)
        super().connection_made(wrapped)


def protocol_for(server: ServerSettings) -> type[GatewayHttpProtocol]:
    """The protocol class enforcing `server`'s limits (uvicorn builds it with fixed arguments)."""
    limits = EdgeLimits.from_server(server)
    return type("LimitedGatewayHttpProtocol", (GatewayHttpProtocol,), {"limits": limits})


def uvicorn_config(app: ASGIApp, **overrides: Any) -> uvicorn.Config:
    """uvicorn as the gateway runs it: httptools (a response's head and body in one write) with the
    edge limits of the app's server settings, uvloop when installed, no access log."""
    server = getattr(app, "server_settings", None)
    options: dict[str, Any] = {
        "http": protocol_for(server if isinstance(server, ServerSettings) else ServerSettings()),
        "loop": "auto",
        "lifespan": "on",
        "access_log": False,
        "log_level": "warning",
        "timeout_graceful_shutdown": 30,
        "proxy_headers": False,
        "server_header": False,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


# gen0 threshold: a request allocates a few hundred container objects, so the default 700 ran a
# young collection every other request at load.
GC_THRESHOLDS = (20_000, 20, 20)


def tune_gc() -> None:
    """Once the gateway has started (catalog, routing engine, caches loaded): collect, then move
    every object alive now into the permanent generation, so later full collections walk only what
    requests allocated. Before, a full collection over the ~120k startup objects paused the event
    loop ~50 ms under load, every few seconds: every request in flight waited for it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class InLoopServer:
    """uvicorn serving `app` on a free loopback port inside the running loop (for tests)."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1") -> None:
        self._sock = free_socket(host)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://{host}:{self.port}"
        self._server = uvicorn.Server(uvicorn_config(app, timeout_graceful_shutdown=5))
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.ensure_future(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # startup failed: raise its error
                raise RuntimeError("the gateway stopped during startup")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self._sock.close()
