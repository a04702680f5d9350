"""CPU per request of the HTTP server protocol alone: the gateway's (`gateway.protocol`) against
uvicorn's httptools protocol, in one process, a fake transport (no sockets, no kernel), a trivial
ASGI app that reads the body and answers with a content-length.

    python benchmarks/overhead/protocol.py [--n 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import uvicorn
import uvloop
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from benchroute.gateway.server import protocol_for
from benchroute.settings import ServerSettings

BODY = b'{"model":"fast/m","messages":[{"role":"user","content":"hello"}]}'
REQUEST = (
    b"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
    b"authorization: Bearer br-0123456789abcdef0123456789abcdef\r\nuser-agent: Python/3.11 aiohttp/3.9\r\n"
    b"accept: */*\r\naccept-encoding: gzip, deflate\r\ncontent-length: %d\r\n\r\n" % len(BODY)
) + BODY
ANSWER = b'{"id":"x","object":"chat.completion","choices":[]}' * 10


async def app(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(ANSWER)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": ANSWER})


class FakeTransport(asyncio.Transport):
    """Resolves `written` on every write."""

    def __init__(self) -> None:
        super().__init__()
        self.written: asyncio.Future[None] | None = None
        self._closing = False

    def write(self, data: Any) -> None:
        if self.written is not None and not self.written.done():
            self.written.set_result(None)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8080), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def per_request(protocol_class: Any, n: int) -> float:
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False, server_header=False)
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = FakeTransport()
    protocol.connection_made(transport)
    loop = asyncio.get_running_loop()
    started = time.process_time()
    for _ in range(n):
        transport.written = loop.create_future()
        protocol.data_received(REQUEST)
        await transport.written
        await asyncio.sleep(0)  # the response's completion
    protocol.connection_lost(None)
    return (time.process_time() - started) / n


async def main(args: argparse.Namespace) -> None:
    candidates = {"uvicorn httptools": HttpToolsProtocol, "gateway": protocol_for(ServerSettings())}
    for _ in range(args.rounds):
        figures = [
            f"{name} {1e6 * await per_request(cls, args.n):.1f} us" for name, cls in candidates.items()
        ]
        print("CPU per request: " + ", ".join(figures))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    uvloop.run(main(parser.parse_args()))
