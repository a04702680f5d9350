"""Soak: steady load through two gateway replicas sharing PostgreSQL and Redis, for N minutes.

Processes: the scripted upstream, two `benchroute serve` replicas (PostgreSQL store in a fresh
database, Redis limits and cooldowns, a requests-per-minute limit high enough never to trigger),
and this script as an open-loop load generator (a fixed request rate, half streaming, alternating
replicas, at most --max-inflight at once). It reports requests served, errors, p50/p99 latency,
each replica's resident memory after the warm-up and at the end, and records lost: the requests
the clients saw succeed whose usage row is not in PostgreSQL after the replicas stop (must be 0).

    python benchmarks/soak/run.py --minutes 10          # the figure in README.md
    python benchmarks/soak/run.py --minutes 1 --rps 30  # a quick look

Needs PostgreSQL (BENCHROUTE_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test: a
database is created and dropped) and Redis (BENCHROUTE_TEST_REDIS_URL, default 127.0.0.1:6379).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

# the scripted upstream is a test helper (not shipped), run as a script
UPSTREAM = Path(__file__).resolve().parents[2] / "tests" / "support" / "upstream.py"
PG_URL = os.environ.get("BENCHROUTE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCHROUTE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "soak-benchmark-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def spawn(cmd: list[str], **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, **kw)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def wait_http(url: str, proc: subprocess.Popen[bytes], within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{url}: the process exited ({proc.returncode})")
            try:
                async with session.get(url) as r:
                    if r.status < 500:
                        return
            except (aiohttp.ClientError, OSError):
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def config(path: Path, upstream: str, store_url: str, project: str) -> None:
    path.write_text(
        f"""
[server]
discover_local = false
secret = "{SECRET}"

[store]
url = "{store_url}"
redis_url = "{REDIS_URL}"

[providers.up]
kind = "openai"
base_url = "{upstream}/v1"
api_key = "sk-soak"

[[models]]
id = "up/small"
provider = "up"
upstream_id = "scripted-small"
input_price = 1.0
output_price = 4.0

[tiers]
default = "up/small"

[projects.{project}]
requests_per_minute = 1000000
daily_budget_usd = 1000000.0
""",
        encoding="utf-8",
    )


async def prepare(store_url: str, project: str) -> str:
    from benchroute.store.sql import SqlStore

    store = SqlStore(store_url, secret=SECRET)
    await store.start()
    try:
        _, key = await store.create_key(project, name="soak")
        return key
    finally:
        await store.close()


async def stored_ids(store_url: str, project: str) -> set[str]:
    from benchroute.store.sql import SqlStore

    store = SqlStore(store_url, secret=SECRET)
    await store.start()
    try:
        return {r.id for r in await store.list_usage(project=project, limit=10_000_000)}
    finally:
        await store.close()


async def load(
    urls: list[str], key: str, seconds: float, rps: float, max_inflight: int, on_warm: Any
) -> dict[str, Any]:
    latencies: list[float] = []
    acked: list[str] = []
    errors: dict[str, int] = {}
    sem = asyncio.Semaphore(max_inflight)
    headers = {"authorization": f"Bearer {key}"}
    connector = aiohttp.TCPConnector(limit=max_inflight * 2)
    tasks: set[asyncio.Task[None]] = set()
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def one(i: int) -> None:
            stream = i % 2 == 0
            body = {"model": "up/small", "stream": stream,
                    "messages": [{"role": "user", "content": f"soak request {i}"}]}  # fmt: skip
            started = time.perf_counter()
            try:
                async with session.post(urls[i % len(urls)] + "/v1/chat/completions", json=body,
                                        headers=headers) as r:  # fmt: skip
                    data = await r.read()
                    if r.status == 200 and (not stream or b"[DONE]" in data):
                        latencies.append((time.perf_counter() - started) * 1000)
                        acked.append(r.headers["x-benchroute-decision-id"])
                    else:
                        errors[str(r.status)] = errors.get(str(r.status), 0) + 1
            except Exception as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            finally:
                sem.release()

        start = time.monotonic()
        warm_done = False
        i = 0
        while (now := time.monotonic()) - start < seconds:
            if not warm_done and now - start >= min(30.0, seconds / 4):
                warm_done = True
                on_warm()
            target = start + i / rps
            if target > now:
                await asyncio.sleep(target - now)
            await sem.acquire()
            task = asyncio.ensure_future(one(i))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
        await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    return {"sent": i, "latencies": latencies, "acked": acked, "errors": errors, "elapsed": elapsed}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="benchroute-soak-"))
    db = f"br_soak_{uuid.uuid4().hex[:8]}"
    project = f"soak-{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(PG_URL)
    await admin.execute(f'CREATE DATABASE "{db}"')
    base = PG_URL.rsplit("/", 1)[0]
    store_url = f"{base}/{db}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        up_port = free_port()
        upstream = spawn(
            [sys.executable, str(UPSTREAM), "--port", str(up_port),
             "--delay-ms", str(args.delay_ms), "--chunks", "8", "--chunk-delay-ms", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append(upstream)
        up_url = f"http://127.0.0.1:{up_port}"
        await wait_http(up_url + "/v1/models", upstream)
        key = await prepare(store_url, project)
        cfg = tmp / "soak.toml"
        config(cfg, up_url, store_url, project)
        gateways: list[tuple[subprocess.Popen[bytes], str]] = []
        for name in ("a", "b"):
            port = free_port()
            env = {**os.environ, "BENCHROUTE_DATA_DIR": str(tmp / name)}
            code = "from benchroute.cli.main import main; main()"
            log = (tmp / f"{name}.log").open("wb")
            proc = spawn(
                [sys.executable, "-c", code, "--config", str(cfg), "serve", "--port", str(port)],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
            procs.append(proc)
            gateways.append((proc, f"http://127.0.0.1:{port}"))
        for proc, url in gateways:
            await wait_http(url + "/healthz", proc)
        rss_start: list[float] = []
        rss_boot = [rss_mb(p.pid) for p, _ in gateways]

        def warm() -> None:
            rss_start.extend(rss_mb(p.pid) for p, _ in gateways)

        result = await load(
            [u for _, u in gateways], key, args.minutes * 60, args.rps, args.max_inflight, warm
        )
        rss_end = [rss_mb(p.pid) for p, _ in gateways]
        for proc, _ in gateways:  # graceful: drain and flush
            proc.send_signal(signal.SIGTERM)
        for proc, _ in gateways:
            proc.wait(60)
        stored = await stored_ids(store_url, project)
        lost = [i for i in result["acked"] if i not in stored]
        lat = result["latencies"]
        growth = [round((e - s) / s * 100, 1) if s else 0.0 for s, e in zip(rss_start, rss_end, strict=False)]
        return {
            "minutes": args.minutes,
            "target_rps": args.rps,
            "sent": result["sent"],
            "served": len(result["acked"]),
            "achieved_rps": round(len(result["acked"]) / result["elapsed"], 1),
            "errors": result["errors"],
            "p50_ms": round(pct(lat, 0.50), 1),
            "p99_ms": round(pct(lat, 0.99), 1),
            "mean_ms": round(statistics.fmean(lat), 1) if lat else 0.0,
            "rss_mb_boot": [round(x, 1) for x in rss_boot],
            "rss_mb_after_warmup": [round(x, 1) for x in rss_start],
            "rss_mb_end": [round(x, 1) for x in rss_end],
            "rss_growth_pct": growth,
            "usage_rows": len(stored),
            "records_lost": len(lost),
        }
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        await admin.close()
        await drop_counters(project)


async def drop_counters(project: str) -> None:
    """The run's limit counters in Redis (they would expire after the month anyway)."""
    from benchroute.redisconn import connect

    client = connect(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=f"benchroute:limit:*:{project}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rps", type=float, default=60.0, help="requests per second (open loop)")
    parser.add_argument("--max-inflight", type=int, default=64)
    parser.add_argument("--delay-ms", type=float, default=50.0, help="upstream latency before headers")
    out = asyncio.run(main(parser.parse_args()))
    print(json.dumps(out, indent=2))
    ok = out["records_lost"] == 0 and all(g <= 10 for g in out["rss_growth_pct"])
    sys.exit(0 if ok else 1)
