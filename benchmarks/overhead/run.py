"""Gateway overhead: the same load sent directly to a fast upstream and through the gateway.

Three kinds of process: the scripted upstream (two of them: 0 ms and 200 ms before the response),
the gateway (`benchroute serve`, auth on, SQLite usage log) in front of both, and a bounded aiohttp
load generator (this file with --load), started once per measurement. For each concurrency
(1, 16, 64), streaming or not, and upstream delay (0, 200 ms) it reports requests/s, p50/p99 of the
full response time, and the latency the gateway adds (gateway minus direct).

    python benchmarks/overhead/run.py                # full matrix, ~2 minutes
    python benchmarks/overhead/run.py --quick        # concurrency 64 only
    python benchmarks/overhead/run.py --profile out.svg   # py-spy the gateway during the run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# the scripted upstream is a test helper (not shipped), run as a script
UPSTREAM = Path(__file__).resolve().parents[2] / "tests" / "support" / "upstream.py"
CONFIG = """
[server]
port = {port}
discover_local = false
keepalive_seconds = 15

[store]
url = "sqlite:///{db}"

[providers.fast]
kind = "openai"
base_url = "http://127.0.0.1:{fast}/v1"

[providers.slow]
kind = "openai"
base_url = "http://127.0.0.1:{slow}/v1"

[[models]]
id = "fast/m"
provider = "fast"
upstream_id = "m"
input_price = 1.0
output_price = 2.0

[[models]]
id = "slow/m"
provider = "slow"
upstream_id = "m"
input_price = 1.0
output_price = 2.0

[tiers]
default = "fast/m"
"""

BODY_TEXT = "Write a Python function that reverses a string, with a docstring and a test. " * 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


# ---- load generator (its own process) ---------------------------------------------------------


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


async def load(args: argparse.Namespace) -> dict[str, Any]:
    import aiohttp

    body = json.dumps(
        {"model": args.model, "stream": args.stream, "messages": [{"role": "user", "content": BODY_TEXT}]}
    ).encode()
    headers = {"content-type": "application/json", "authorization": f"Bearer {args.key}"}
    connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency)
    samples: list[tuple[float, float]] = []  # (start, latency)
    errors = 0
    async with aiohttp.ClientSession(connector=connector) as session:
        # warm up: open the connections, load the code paths
        await asyncio.gather(
            *(_one(session, args.load, body, headers, args.stream) for _ in range(args.concurrency))
        )
        started = time.perf_counter()
        window = started + args.warmup  # requests started before this are not measured
        deadline = window + args.duration

        async def worker() -> None:
            nonlocal errors
            while (now := time.perf_counter()) < deadline:
                try:
                    samples.append((now, await _one(session, args.load, body, headers, args.stream)))
                except Exception:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    latencies = sorted(latency for start, latency in samples if start >= window)
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies),
        "served": len(samples) + args.concurrency,  # all the server answered, the warm-up included
        "errors": errors,
        "rps": len(latencies) / args.duration,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": q[98] * 1000,
    }


def run_load(
    url: str, model: str, key: str, stream: bool, concurrency: int, duration: float, warmup: float
) -> dict[str, Any]:
    cmd = [
        sys.executable, __file__, "--load", url, "--model", model, "--key", key,
        "--concurrency", str(concurrency), "--duration", str(duration), "--warmup", str(warmup),
    ]  # fmt: skip
    if stream:
        cmd.append("--stream")
    out = subprocess.run(
        cmd, check=True, capture_output=True, text=True, timeout=(duration + warmup) * 10 + 120
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


# ---- orchestration ----------------------------------------------------------------------------


def start_upstream(port: int, delay_ms: int, chunks: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, str(UPSTREAM), "--port", str(port),
        "--delay-ms", str(delay_ms), "--chunks", str(chunks), "--text", "x " * 40,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc


def start_gateway(config: Path, home: Path) -> tuple[subprocess.Popen[str], str, int]:
    env = {**os.environ, "BENCHROUTE_HOME": str(home), "BENCHROUTE_CONFIG": str(config)}
    cmd = [sys.executable, "-c", "from benchroute.cli.main import main; main()", "serve"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    key = ""
    for line in proc.stdout:
        if line.strip().startswith("br-"):
            key = line.strip()
        if "benchroute gateway on" in line:
            break
    # keep reading its output so a chatty gateway never blocks on a full pipe
    threading.Thread(target=lambda: [None for _ in proc.stdout or ()], daemon=True).start()
    port = int(re.search(r"port = (\d+)", config.read_text()).group(1))  # type: ignore[union-attr]
    wait_port(port)
    return proc, key, port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[Any]) -> None:
    is_spy = isinstance(proc.args, list) and proc.args[0] == "py-spy"
    proc.send_signal(signal.SIGINT if is_spy else signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


HEADER = (
    "delay stream conc | direct rps     p50     p99 |   gw rps     p50     p99 "
    "| +p50 ms +p99 ms  rps % | gw cpu ms/req"
)


def format_row(row: dict[str, Any]) -> str:
    d, g = row["direct"], row["gateway"]
    cells = [
        f"{row['delay_ms']:>5} {row['stream']!s:>6} {row['concurrency']:>4}",
        f"{d['rps']:>10.0f} {d['p50_ms']:>7.2f} {d['p99_ms']:>7.2f}",
        f"{g['rps']:>8.0f} {g['p50_ms']:>7.2f} {g['p99_ms']:>7.2f}",
        f"{row['added_p50_ms']:>7.2f} {row['added_p99_ms']:>7.2f} {100 * row['rps_share']:>5.1f}%",
        f"{g['cpu_ms_per_request']:>13.3f}" + (f"  errors {g['errors']}" if g["errors"] else ""),
    ]
    return " | ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--load", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--model", default="m", help=argparse.SUPPRESS)
    parser.add_argument("--key", default="none", help=argparse.SUPPRESS)
    parser.add_argument("--stream", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds measured per measurement")
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of load before the measured window (not counted)"
    )
    parser.add_argument("--quick", action="store_true", help="concurrency 64 only")
    parser.add_argument("--chunks", type=int, default=20, help="text deltas per streamed answer")
    parser.add_argument("--delay", type=int, choices=(0, 200), help="only this upstream delay (ms)")
    parser.add_argument("--streamed", dest="only_stream", choices=("yes", "no"), help="only streamed or not")
    parser.add_argument("--profile", metavar="SVG", help="record the gateway with py-spy into SVG")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args()
    if args.load:
        print(json.dumps(asyncio.run(load(args))))
        return

    tmp = Path(tempfile.mkdtemp(prefix="benchroute-overhead-"))
    fast_port, slow_port, gw_port = free_port(), free_port(), free_port()
    config = tmp / "benchroute.toml"
    config.write_text(CONFIG.format(port=gw_port, db=tmp / "bench.db", fast=fast_port, slow=slow_port))
    procs: list[subprocess.Popen[Any]] = []
    try:
        procs.append(start_upstream(fast_port, 0, args.chunks))
        procs.append(start_upstream(slow_port, 200, args.chunks))
        gateway, key, _ = start_gateway(config, tmp / "home")
        procs.append(gateway)
        if args.profile:
            fmt = ["--format", "raw"] if args.profile.endswith(".txt") else []
            spy = [
                "py-spy",
                "record",
                "-o",
                args.profile,
                "--pid",
                str(gateway.pid),
                "--rate",
                "500",
                "--nonblocking",
                *fmt,
            ]
            procs.append(subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        rows = []
        concurrencies = [64] if args.quick else [1, 16, 64]
        print(HEADER)
        for delay, upstream_port, model in ((0, fast_port, "fast/m"), (200, slow_port, "slow/m")):
            if args.delay is not None and delay != args.delay:
                continue
            for stream in (False, True):
                if args.only_stream is not None and stream != (args.only_stream == "yes"):
                    continue
                for conc in concurrencies:
                    direct = run_load(
                        f"http://127.0.0.1:{upstream_port}/v1/chat/completions", "m", "none", stream, conc,
                        args.duration, args.warmup,
                    )  # fmt: skip
                    cpu_before = cpu_seconds(gateway.pid)
                    through = run_load(
                        f"http://127.0.0.1:{gw_port}/v1/chat/completions",
                        model,
                        key,
                        stream,
                        conc,
                        args.duration,
                        args.warmup,
                    )
                    served = through["served"]
                    through["cpu_ms_per_request"] = 1000 * (cpu_seconds(gateway.pid) - cpu_before) / served
                    row = {
                        "delay_ms": delay, "stream": stream, "concurrency": conc, "direct": direct,
                        "gateway": through, "added_p50_ms": through["p50_ms"] - direct["p50_ms"],
                        "added_p99_ms": through["p99_ms"] - direct["p99_ms"],
                        "rps_share": through["rps"] / direct["rps"],
                    }  # fmt: skip
                    rows.append(row)
                    print(format_row(row), flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2))
    finally:
        for proc in reversed(procs):
            stop(proc)


if __name__ == "__main__":
    main()
