"""`ListeningServer` announces only once its socket accepts connections (the app's lifespan
startup runs before uvicorn binds: a banner printed there sent a client to a refusing port)."""

from __future__ import annotations

import asyncio
import socket

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from benchroute.gateway.server import ListeningServer, free_socket, uvicorn_config


async def _hello(_: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


def _port() -> int:
    sock = free_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


async def test_on_listening_runs_when_a_client_can_connect() -> None:
    port = _port()
    connected: list[bool] = []

    def listening() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=5):  # refused if not bound
            connected.append(True)

    app = Starlette(routes=[Route("/", _hello)])
    server = ListeningServer(uvicorn_config(app, host="127.0.0.1", port=port, loop="asyncio"), listening)
    task = asyncio.ensure_future(server.serve())
    try:
        async with asyncio.timeout(30):
            while not connected:
                assert not task.done(), "the server stopped before announcing"
                await asyncio.sleep(0.01)
    finally:
        server.should_exit = True
        await task
    assert connected == [True]


async def test_on_listening_is_not_called_when_startup_fails() -> None:
    taken = free_socket()  # bound and listening: uvicorn cannot bind the same port
    port = int(taken.getsockname()[1])
    called: list[bool] = []
    app = Starlette(routes=[Route("/", _hello)])
    server = ListeningServer(
        uvicorn_config(app, host="127.0.0.1", port=port, loop="asyncio"), lambda: called.append(True)
    )
    try:
        try:
            await server.serve()
        except SystemExit:
            pass
    finally:
        taken.close()
    assert called == []
