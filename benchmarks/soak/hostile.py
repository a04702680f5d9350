"""Hostile neighbour: one project's clients send maximum-size bodies (or floods) while another
project's client measures its chat latency, against one `benchroute serve` process.

Phases, each `--seconds` long: the victim alone (baseline), then the victim while the hostile
clients run (a separate process, so their own CPU does not slow the measuring client's loop).
The victim sends one non-streaming chat request after another (closed loop) and records each
latency; /healthz is polled at the same time. Hostile modes:

- `max-body`: authenticated chat requests with a body of `server.max_body_bytes` (9,999 messages
  just under the parser's cost bound, filling the size limit), in a loop;
- `route`: two clients looping on `POST /v1/route` with a 3.4 MB body of 100k messages (the issue's
  repro; now a 413 from the cost bound);
- `flood`: unauthenticated 1 GB floods (a chunked body to /v1/chat/completions, header lines),
  connection after connection; the gateway's RSS is sampled too.

    python benchmarks/soak/hostile.py --mode max-body --seconds 20
    python benchmarks/soak/hostile.py --mode route --seconds 20
    python benchmarks/soak/hostile.py --mode flood --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import UPSTREAM, free_port, pct, rss_mb, spawn, wait_http  # noqa: E402

MAX_BODY = 8 * 1024 * 1024
GB = 1024**3


def config(path: Path, upstream: str, store_url: str) -> None:
    path.write_text(
        f"""
[server]
discover_local = false
max_body_bytes = {MAX_BODY}

[store]
url = "{store_url}"

[providers.up]
kind = "openai"
base_url = "{upstream}/v1"
api_key = "sk-hostile"

[[models]]
id = "up/small"
provider = "up"
upstream_id = "scripted-small"

[tiers]
default = "up/small"

[projects.victim]
[projects.hostile]
""",
        encoding="utf-8",
    )


async def make_keys(store_url: str) -> dict[str, str]:
    from benchroute.store.sql import SqlStore

    store = SqlStore(store_url)
    await store.start()
    try:
        return {p: (await store.create_key(p, name=p))[1] for p in ("victim", "hostile")}
    finally:
        await store.close()


def max_body() -> bytes:
    """A chat body just under both limits: 9,999 messages filling `MAX_BODY` bytes."""
    n = 9_999
    size = (MAX_BODY - 200) // n - 40
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": "x" * size} for i in range(n)]
    body = json.dumps({"model": "up/small", "messages": messages}).encode()
    assert len(body) <= MAX_BODY, len(body)
    return body


def route_body() -> bytes:
    messages = [{"role": "user", "content": f"m{i} fix the bug"} for i in range(100_000)]
    return json.dumps({"model": "auto", "messages": messages}).encode()


async def _post_loop(url: str, key: str, body: bytes, until: float, counts: dict[str, int]) -> None:
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        while time.monotonic() < until:
            try:
                async with http.post(url, data=body, headers=headers) as r:
                    await r.read()
                    counts[str(r.status)] = counts.get(str(r.status), 0) + 1
            except (aiohttp.ClientError, OSError) as exc:
                counts[type(exc).__name__] = counts.get(type(exc).__name__, 0) + 1


async def _flood_loop(port: int, head: bytes, filler: bytes, until: float, counts: dict[str, int]) -> None:
    block = filler * (256 * 1024 // len(filler))
    while time.monotonic() < until:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        sent = 0
        try:
            writer.write(head)
            while sent < GB and time.monotonic() < until:
                writer.write(block)
                await writer.drain()
                sent += len(block)
        except (ConnectionError, OSError):
            pass
        try:
            status = (await asyncio.wait_for(reader.read(12), 5)).decode(errors="replace")
        except (TimeoutError, ConnectionError, OSError):
            status = "no answer"
        counts[status or "closed"] = counts.get(status or "closed", 0) + 1
        counts["bytes"] = counts.get("bytes", 0) + sent
        writer.close()


async def hostile(mode: str, base: str, port: int, key: str, seconds: float) -> dict[str, int]:
    until = time.monotonic() + seconds
    counts: dict[str, int] = {}
    if mode == "max-body":
        jobs = [_post_loop(base + "/v1/chat/completions", key, max_body(), until, counts)]
    elif mode == "route":
        body = route_body()
        jobs = [_post_loop(base + "/v1/route", key, body, until, counts) for _ in range(2)]
    else:
        chunked = b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
        headers = b"GET /healthz HTTP/1.1\r\nhost: x\r\n"
        jobs = [
            _flood_loop(port, chunked, b"1000\r\n" + b"x" * 4096 + b"\r\n", until, counts),
            _flood_loop(port, headers, b"x-flood: " + b"v" * 100 + b"\r\n", until, counts),
        ]
    await asyncio.gather(*jobs)
    return counts


def _hostile_process(mode: str, base: str, port: int, key: str, seconds: float, out: Any) -> None:
    out.put(asyncio.run(hostile(mode, base, port, key, seconds)))


async def victim(base: str, key: str, seconds: float, pid: int) -> dict[str, Any]:
    body = {"model": "up/small", "messages": [{"role": "user", "content": "hello"}]}
    headers = {"authorization": f"Bearer {key}"}
    chat: list[float] = []
    health: list[float] = []
    rss: list[float] = []
    errors: dict[str, int] = {}
    until = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:

        async def chat_loop() -> None:
            while time.monotonic() < until:
                started = time.perf_counter()
                async with http.post(base + "/v1/chat/completions", json=body, headers=headers) as r:
                    await r.read()
                if r.status == 200:
                    chat.append((time.perf_counter() - started) * 1000)
                else:
                    errors[str(r.status)] = errors.get(str(r.status), 0) + 1

        async def health_loop() -> None:
            while time.monotonic() < until:
                started = time.perf_counter()
                async with http.get(base + "/healthz") as r:
                    await r.read()
                health.append((time.perf_counter() - started) * 1000)
                rss.append(rss_mb(pid))
                await asyncio.sleep(0.05)

        await asyncio.gather(chat_loop(), health_loop())
    return {
        "chat_requests": len(chat),
        "chat_p50_ms": round(pct(chat, 0.5), 1),
        "chat_p99_ms": round(pct(chat, 0.99), 1),
        "healthz_p50_ms": round(pct(health, 0.5), 1),
        "healthz_p99_ms": round(pct(health, 0.99), 1),
        "rss_mb_min_max": [round(min(rss), 1), round(max(rss), 1)] if rss else [],
        "errors": errors,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="benchroute-hostile-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        up_port = free_port()
        upstream = spawn(
            [sys.executable, str(UPSTREAM), "--port", str(up_port),
             "--delay-ms", str(args.delay_ms), "--chunks", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append(upstream)
        up_url = f"http://127.0.0.1:{up_port}"
        await wait_http(up_url + "/v1/models", upstream)
        store_url = f"sqlite:///{tmp / 'hostile.db'}"
        keys = await make_keys(store_url)
        cfg = tmp / "hostile.toml"
        config(cfg, up_url, store_url)
        port = free_port()
        env = {**os.environ, "BENCHROUTE_DATA_DIR": str(tmp / "data")}
        code = "from benchroute.cli.main import main; main()"
        gateway = spawn(
            [sys.executable, "-c", code, "--config", str(cfg), "serve", "--port", str(port)],
            stdout=(tmp / "gateway.log").open("wb"), stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        procs.append(gateway)
        base = f"http://127.0.0.1:{port}"
        await wait_http(base + "/healthz", gateway)
        await victim(base, keys["victim"], 3.0, gateway.pid)  # warm-up
        alone = await victim(base, keys["victim"], args.seconds, gateway.pid)
        queue: Any = multiprocessing.Queue()
        attacker = multiprocessing.Process(
            target=_hostile_process, args=(args.mode, base, port, keys["hostile"], args.seconds + 2, queue)
        )
        attacker.start()
        await asyncio.sleep(1.0)  # let the attack get going
        attacked = await victim(base, keys["victim"], args.seconds, gateway.pid)
        hostile_counts = await asyncio.to_thread(queue.get, True, 120)
        attacker.join(30)
        moved = (attacked["chat_p99_ms"] - alone["chat_p99_ms"]) / alone["chat_p99_ms"] * 100
        return {
            "mode": args.mode,
            "seconds": args.seconds,
            "victim_alone": alone,
            "victim_attacked": attacked,
            "victim_p99_moved_pct": round(moved, 1),
            "hostile": hostile_counts,
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["max-body", "route", "flood"], default="max-body")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--delay-ms", type=float, default=5.0, help="upstream latency before headers")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
