"""Running the gateway under uvicorn: in this event loop (tests) or as the `serve` process."""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from benchroute.gateway.edge import EdgeLimits
from benchroute.gateway.protocol import GatewayProtocol
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


def protocol_for(server: ServerSettings) -> type[GatewayProtocol]:
    """The protocol class enforcing `server`'s limits (uvicorn builds it with fixed arguments)."""
    limits = EdgeLimits.from_server(server)
    return type("LimitedGatewayProtocol", (GatewayProtocol,), {"limits": limits})


def uvicorn_config(app: ASGIApp, **overrides: Any) -> uvicorn.Config:
    """uvicorn as the gateway runs it: the gateway's own httptools protocol (`gateway.protocol`: a
    response's head and body in one write, the edge limits of the app's server settings), uvloop
    when installed, no access log."""
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


class ListeningServer(uvicorn.Server):
    """uvicorn's server, calling `on_listening` once its sockets accept connections. The app's
    lifespan startup runs before uvicorn binds, so a line printed there ("gateway on ...") could
    send a waiting client to a port that refuses it."""

    def __init__(self, config: uvicorn.Config, on_listening: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_listening = on_listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_listening()


class InLoopServer:
    """uvicorn serving `app` on a free loopback port inside the running loop (for tests);
    `overrides` change its config (`http="httptools"`: uvicorn's own protocol, not the gateway's)."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", **overrides: Any) -> None:
        self._sock = free_socket(host)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://{host}:{self.port}"
        self._server = uvicorn.Server(uvicorn_config(app, **{"timeout_graceful_shutdown": 5, **overrides}))
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
