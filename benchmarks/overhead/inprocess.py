"""The gateway's own Python per request, without sockets: the ASGI app called directly with a
fake upstream that answers at once (auth on, SQLite usage log, usage write-ahead, the usage and
decision records written by the writer thread). What it prints is CPU time of this process per
request, so it hardly depends on what else runs on the machine; `--profile` adds the top of a
cProfile of the same loop.

    python benchmarks/overhead/inprocess.py [--n 5000] [--stream] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from benchroute.app import create_app
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.fake import FakeProvider
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings

MODEL = ModelInfo(id="fake/a", provider="fa", upstream_id="a-up", input_price=1.0, output_price=2.0)
TEXT = "Write a Python function that reverses a string, with a docstring and a test. " * 8


async def lifespan(app: Any) -> tuple[asyncio.Queue[Any], asyncio.Task[None]]:
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    outbox: asyncio.Queue[Any] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put))
    message = await outbox.get()
    assert message["type"] == "lifespan.startup.complete", message
    return inbox, task


async def one(app: Any, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    sent: list[dict[str, Any]] = []
    parts = [{"type": "http.request", "body": body, "more_body": False}]
    never: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    async def receive() -> dict[str, Any]:
        return parts.pop() if parts else await never

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/chat/completions", "raw_path": b"/v1/chat/completions",
        "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8080),
    }  # fmt: skip
    await app(scope, receive, send)
    never.cancel()
    status: int = sent[0]["status"]
    return status


async def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="benchroute-inprocess-"))
    settings = Settings(
        server={"discover_local": False},
        tiers={"default": "fake/a", "balanced": {"chat": "fake/a"}},
        store={"url": f"sqlite:///{tmp / 'usage.db'}"},
        data_dir=str(tmp / "data"),
    )
    catalog = Catalog([MODEL])
    app = create_app(
        settings,
        providers={"fa": FakeProvider("fa")},
        engine=StaticRouter(catalog, settings.tiers),
        catalog=catalog,
    )
    inbox, life = await lifespan(app)
    state = app.state.gateway
    _, key = await state.store.create_key("default", name="bench")
    body = orjson.dumps(
        {"model": "fake/a", "stream": args.stream, "messages": [{"role": "user", "content": TEXT}]}
    )
    headers = [(b"content-type", b"application/json"), (b"authorization", f"Bearer {key}".encode()),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    for _ in range(200):  # warm up: caches, code paths
        assert await one(app, headers, body) == 200
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not wall
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(args.n):
        await one(app, headers, body)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await state.inflight.wait_idle(5)
    print(f"{'streamed' if args.stream else 'non-streamed'}: {args.n} requests, "
          f"{1e6 * cpu / args.n:.0f} us CPU and {1e6 * wall / args.n:.0f} us wall per request")  # fmt: skip
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    await inbox.put({"type": "lifespan.shutdown"})
    await life


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--profile", action="store_true")
    import uvloop

    uvloop.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
