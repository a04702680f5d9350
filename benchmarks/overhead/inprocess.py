"""The gateway's own Python per request, without sockets: the ASGI app called directly with a
fake upstream that answers at once (auth on, SQLite usage log, usage write-ahead, the usage and
decision records written by the writer thread). What it prints is CPU time of this process per
request, so it hardly depends on what else runs on the machine; `--profile` adds the top of a
cProfile of the same loop.

    python benchmarks/overhead/inprocess.py [--n 5000] [--rounds 5] [--gc serve|default]
                                            [--stream] [--profile [--dump FILE]]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from benchroute.app import create_app
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.gateway.server import tune_gc
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
    try:
        await measure(app, args)
    finally:  # also after an error: else asyncio.run cancels the writer under the lifespan's flush
        await inbox.put({"type": "lifespan.shutdown"})
        await life


async def measure(app: Any, args: argparse.Namespace) -> None:
    state = app.state.gateway
    _, key = await state.store.create_key("default", name="bench")
    body = orjson.dumps(
        {"model": "fake/a", "stream": args.stream, "messages": [{"role": "user", "content": TEXT}]}
    )
    headers = [(b"content-type", b"application/json"), (b"authorization", f"Bearer {key}".encode()),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    for _ in range(200):  # warm up: caches, code paths
        assert await one(app, headers, body) == 200
    if args.gc == "serve":
        tune_gc()  # what `benchroute serve` does once started: freeze, young threshold 20000
    if args.gen0:
        gc.set_threshold(args.gen0, *gc.get_threshold()[1:])
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not wall
    cpus: list[float] = []
    latencies: list[float] = []
    collections = [g["collections"] for g in gc.get_stats()]
    pauses: list[float] = []  # seconds of each collection while measuring
    gc.callbacks.append(_pause_timer(pauses))
    wall = time.perf_counter()
    for _ in range(args.rounds):
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.n):
            started = time.perf_counter()
            await one(app, headers, body)
            latencies.append(time.perf_counter() - started)
        if profiler:
            profiler.disable()
        cpus.append((time.process_time() - cpu) / args.n)
    wall = (time.perf_counter() - wall) / (args.n * args.rounds)
    collections = [g["collections"] - c for g, c in zip(gc.get_stats(), collections, strict=True)]
    gc.callbacks.pop()
    await state.inflight.wait_idle(5)
    report(args, cpus, wall, latencies, collections)
    print(f"gc (threshold {gc.get_threshold()}): {len(pauses)} collections, CPU {1e3 * sum(pauses):.1f} ms "
          f"({1e6 * sum(pauses) / (args.n * args.rounds):.1f} us per request), "
          f"longest {1e3 * max(pauses, default=0):.2f} ms")  # fmt: skip
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
        if args.dump:
            profiler.dump_stats(args.dump)


def _pause_timer(pauses: list[float]) -> Any:
    started = [0.0]

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.thread_time()  # this thread's CPU: not the writer thread, not other processes
        else:
            pauses.append(time.thread_time() - started[0])

    return callback


def report(
    args: argparse.Namespace, cpus: list[float], wall: float, latencies: list[float], collections: list[int]
) -> None:
    """CPU per request: the median and the least of the rounds (the least is the one the other
    processes on the machine disturbed least); wall latency of one request, p50 / p99 / max."""
    latencies.sort()
    p50, p99 = (latencies[int(q * (len(latencies) - 1))] for q in (0.5, 0.99))
    print(f"{'streamed' if args.stream else 'non-streamed'}: {args.n * args.rounds} requests, "
          f"{1e6 * statistics.median(cpus):.0f} us CPU (median of {args.rounds} rounds; least "
          f"{1e6 * min(cpus):.0f}) and {1e6 * wall:.0f} us wall per request; latency p50 "
          f"{1e6 * p50:.0f} us, p99 {1e6 * p99:.0f} us, max {1e6 * latencies[-1]:.0f} us; "
          f"gc {args.gc}: collections per generation {collections}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1, help="measure this many rounds of --n")
    parser.add_argument(
        "--gc", choices=("serve", "default"), default="serve",
        help="serve: freeze and thresholds as `benchroute serve` sets them (default); default: Python's",
    )  # fmt: skip
    parser.add_argument("--gen0", type=int, default=0, help="young-generation threshold instead")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dump", default="", help="with --profile: write the raw cProfile stats here")
    import uvloop

    uvloop.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
