"""The load generator of the overhead benchmark (its own process, one per measurement).

    python benchmarks/overhead/load.py URL --model M --key K --concurrency 16 [--stream]

Bounded: `--concurrency` workers, each with one pooled keep-alive connection, each sending its
next request when the previous one finished. Prints one JSON object: requests/s, p50/p99 of the
full response time, and the wall-clock window that was measured (for the loop-lag samples).

After the warm-up round (every worker's first request, sent together to open the connections),
worker i starts its loop i/N of one request's duration (the warm-up round's median latency) after
worker 0, inside the unmeasured `--warmup` seconds: N clients that each started when they
started, not N clients firing in the same millisecond. Without that, when every request takes the
same time (the 200 ms + 20 x 10 ms stream), the workers stay in lockstep for the whole run: every
~460 ms all 64 requests arrive at once, their first tokens and each of their chunks too, and the
p99 is the last of each burst of 64, whatever serves them. `--lockstep` keeps the bursts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import time
from typing import Any

BODY_TEXT = "Write a Python function that reverses a string, with a docstring and a test. " * 8


def spread_delays(concurrency: int, latencies: list[float], lockstep: bool) -> list[float]:
    """Worker i's start offset: i/N of the median warm-up latency (all 0 with `lockstep`)."""
    if lockstep or not latencies:
        return [0.0] * concurrency
    period = statistics.median(latencies)
    return [period * i / concurrency for i in range(concurrency)]


async def _one(session: Any, url: str, body: bytes, headers: dict[str, str], stream: bool) -> float:
    started = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as resp:
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {(await resp.read())[:200]!r}")
        if stream:
            async for _ in resp.content.iter_any():
                pass
        else:
            await resp.read()
    return time.perf_counter() - started


def _summary(samples: list[tuple[float, float]], window: float, args: argparse.Namespace) -> dict[str, Any]:
    latencies = sorted(latency for start, latency in samples if start >= window)
    if not latencies:
        return {"requests": 0, "served": len(samples), "rps": 0.0, "p50_ms": math.nan, "p99_ms": math.nan}
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies),
        "served": len(samples) + args.concurrency,  # all the server answered, the warm-up included
        "rps": len(latencies) / args.duration,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": q[98] * 1000,
    }


async def load(args: argparse.Namespace) -> dict[str, Any]:
    import aiohttp

    body = json.dumps(
        {"model": args.model, "stream": args.stream, "messages": [{"role": "user", "content": BODY_TEXT}]}
    ).encode()
    headers = {"content-type": "application/json", "authorization": f"Bearer {args.key}"}
    connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency)
    samples: list[tuple[float, float]] = []  # (start, latency)
    errors: list[str] = []
    async with aiohttp.ClientSession(connector=connector) as session:
        # open the connections, load the code paths (a failure here counts as an error below)
        warm = await asyncio.gather(
            *(_one(session, args.url, body, headers, args.stream) for _ in range(args.concurrency)),
            return_exceptions=True,
        )
        errors.extend(str(w)[:200] for w in warm if isinstance(w, BaseException))
        latencies = [w for w in warm if isinstance(w, float)]
        delays = spread_delays(args.concurrency, latencies, args.lockstep)
        started = time.perf_counter()
        window = started + args.warmup  # requests started before this are not measured
        deadline = window + args.duration
        wall_window = time.time() + args.warmup

        async def worker(delay: float) -> None:
            await asyncio.sleep(delay)
            while (now := time.perf_counter()) < deadline:
                try:
                    samples.append((now, await _one(session, args.url, body, headers, args.stream)))
                except Exception as exc:
                    errors.append(str(exc)[:200])

        await asyncio.gather(*(worker(delay) for delay in delays))
    result = _summary(samples, window, args)
    result.update(errors=len(errors), first_error=errors[0] if errors else None)
    result.update(window=(wall_window, wall_window + args.duration))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--model", default="m")
    parser.add_argument("--key", default="none")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--lockstep", action="store_true", help="all workers start together")
    print(json.dumps(asyncio.run(load(parser.parse_args()))))


if __name__ == "__main__":
    main()
