"""Gateway overhead: the same load sent directly to a scripted upstream, through benchroute, and
through LiteLLM's proxy, side by side in one run.

Processes: two scripted upstreams (no delay; 200 ms to the first token then 20 chunks 10 ms
apart), the benchroute gateway (`benchroute serve` under `lagprobe.py`: auth on, SQLite usage
log, usage write-ahead file), LiteLLM's proxy (from its own venv, `--litellm`), and the load
generator (`load.py`, one process per measurement). With `--pin` (default) the gateways run on
CPU 1 and everything else on CPU 0.

    python benchmarks/overhead/run.py --litellm /tmp/litellm-venv/bin/litellm
    python benchmarks/overhead/run.py --only 64s --duration 10       # one scenario
    python benchmarks/overhead/run.py --profile flame.svg             # py-spy the gateway
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# the scripted upstream is a test helper (not shipped), run as a script
UPSTREAM = HERE.parents[1] / "tests" / "support" / "upstream.py"

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

LITELLM_CONFIG = """
model_list:
  - model_name: fast/m
    litellm_params: {{model: openai/m, api_base: "http://127.0.0.1:{fast}/v1", api_key: none}}
  - model_name: slow/m
    litellm_params: {{model: openai/m, api_base: "http://127.0.0.1:{slow}/v1", api_key: none}}
litellm_settings:
  telemetry: false
"""


LITELLM_KEY = "sk-" + secrets.token_hex(16)  # its proxy refuses to start without a master key


@dataclass(frozen=True)
class Scenario:
    name: str
    slow: bool  # the 200 ms / 20 x 10 ms upstream
    stream: bool
    concurrency: int


SCENARIOS = (
    Scenario("1", slow=False, stream=False, concurrency=1),
    Scenario("16", slow=False, stream=False, concurrency=16),
    Scenario("64s", slow=True, stream=True, concurrency=64),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_port(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def autogroup_nice(nice: int) -> str:
    """With the kernel's autogroup scheduling, niceness only orders the processes of one session;
    the sessions share the CPUs equally. So `--nice` also sets this session's autogroup niceness
    (the benchmark's processes are all in it). Returns what happened, for the header line."""
    path = Path("/proc/self/autogroup")
    if not nice or not path.exists():
        return "no autogroup"
    try:
        path.write_text(str(nice))
    except OSError as exc:
        return f"autogroup niceness not set: {exc.strerror}"
    return f"autogroup nice {nice}"


def pinned(cmd: list[str], cpu: int | None, nice: int = 0) -> list[str]:
    """`cmd` on CPU `cpu` (None: anywhere) at niceness `nice`."""
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    return ["taskset", "-c", str(cpu), *cmd] if cpu is not None else cmd


def start_upstream(
    port: int, delay_ms: int, chunk_delay_ms: int, cpu: int | None, nice: int
) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, str(UPSTREAM), "--port", str(port), "--delay-ms", str(delay_ms),
        "--chunks", "20", "--chunk-delay-ms", str(chunk_delay_ms), "--text", "x " * 40,
    ]  # fmt: skip
    proc = subprocess.Popen(pinned(cmd, cpu, nice), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc


def read_gateway_key(proc: subprocess.Popen[str]) -> str:
    """The gateway key `benchroute serve` prints, read until it says it is serving; its later
    output is read on (and dropped) in a thread, so a chatty gateway never blocks on a full pipe."""
    assert proc.stdout is not None
    key = ""
    for line in proc.stdout:
        if line.strip().startswith("br-"):
            key = line.strip()
        if "benchroute gateway on" in line:
            break
    threading.Thread(target=lambda: [None for _ in proc.stdout or ()], daemon=True).start()
    return key


def start_gateway(
    config: Path, home: Path, lag_file: Path, cpu: int | None, nice: int
) -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ, "BENCHROUTE_HOME": str(home), "BENCHROUTE_CONFIG": str(config),
        "BENCHROUTE_LAG_FILE": str(lag_file),
    }  # fmt: skip
    cmd = pinned([sys.executable, str(HERE / "lagprobe.py"), "serve"], cpu, nice)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    key = read_gateway_key(proc)
    port = int(re.search(r"port = (\d+)", config.read_text()).group(1))  # type: ignore[union-attr]
    wait_port(port)
    return proc, key


def start_litellm(
    binary: str, config: Path, port: int, cpu: int | None, nice: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ, "LITELLM_LOG": "ERROR", "LITELLM_TELEMETRY": "False", "PYTHONPATH": "",
        "LITELLM_MASTER_KEY": LITELLM_KEY,
    }  # fmt: skip
    cmd = pinned([binary, "--config", str(config), "--port", str(port), "--host", "127.0.0.1",
                  "--num_workers", "1"], cpu, nice)  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, timeout=180)
    return proc


def run_load(url: str, model: str, key: str, s: Scenario, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable, str(HERE / "load.py"), url, "--model", model, "--key", key,
        "--concurrency", str(s.concurrency), "--duration", str(args.duration), "--warmup", str(args.warmup),
    ]  # fmt: skip
    if s.stream:
        cmd.append("--stream")
    if args.lockstep:
        cmd.append("--lockstep")
    timeout = (args.duration + args.warmup) * 10 + 120
    out = subprocess.run(
        pinned(cmd, args.load_cpu, args.nice), check=True, capture_output=True, text=True, timeout=timeout
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    values = sorted(values)
    return {
        "p50": values[len(values) // 2],
        "p99": values[min(len(values) - 1, int(len(values) * 0.99))],
        "max": values[-1],
    }


def loop_lag(lag_file: Path, window: tuple[float, float]) -> dict[str, Any]:
    """p50 / p99 / max of the gateway's loop lag (ms) over a measured window; `own`: the same of
    the lag less the time the loop's thread waited for a CPU (the machine's share); `gc`: the
    collections in the window (count, longest pause ms)."""
    time.sleep(0.6)  # the probe writes every half second
    lags: list[float] = []
    own: list[float] = []
    for line in lag_file.read_text().splitlines():
        fields = line.split()
        if len(fields) < 2 or not window[0] <= float(fields[0]) <= window[1]:
            continue
        lag = float(fields[1])
        lags.append(lag)
        own.append(max(0.0, lag - float(fields[2])) if len(fields) > 2 else lag)
    out: dict[str, Any] = _quantiles(lags)
    out["own"] = _quantiles(own)
    gc_file = lag_file.with_name(lag_file.name + ".gc")
    pauses = [
        (int(gen), float(ms))
        for when, gen, ms in (
            line.split() for line in (gc_file.read_text().splitlines() if gc_file.exists() else ())
        )
        if window[0] <= float(when) <= window[1]
    ]
    out["gc"] = (
        len(pauses),
        max((ms for _, ms in pauses), default=0.0),
        max((g for g, _ in pauses), default=0),
    )
    return out


def stop(proc: subprocess.Popen[Any]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


# ---- one run ----------------------------------------------------------------------------------

TARGETS = """targets (issue 19): '1': +p50 <= 0.5 ms, +p99 <= 1.5 ms; '16': rps >= 40% of direct;
'64s': rps >= 98% of direct, +p99 <= 5 ms; loop lag p99 < 2 ms in every scenario"""


def checks(s: Scenario, direct: dict[str, Any], gw: dict[str, Any]) -> list[tuple[str, bool]]:
    add50, add99 = gw["p50_ms"] - direct["p50_ms"], gw["p99_ms"] - direct["p99_ms"]
    share = gw["rps"] / direct["rps"]
    own = gw["lag"]["own"]["p99"]
    out = [
        (f"lag p99 {gw['lag']['p99']:.2f} ms < 2", gw["lag"]["p99"] < 2.0),
        (f"(lag - cpu wait p99 {own:.2f} ms < 2)", own < 2.0),
    ]
    if s.name == "1":
        out += [(f"+p50 {add50:.2f} <= 0.5", add50 <= 0.5), (f"+p99 {add99:.2f} <= 1.5", add99 <= 1.5)]
    elif s.name == "16":
        out += [(f"rps {100 * share:.0f}% >= 40%", share >= 0.40)]
    else:
        out += [(f"rps {100 * share:.1f}% >= 98%", share >= 0.98), (f"+p99 {add99:.2f} <= 5", add99 <= 5.0)]
    return out


def row(s: Scenario, name: str, r: dict[str, Any], direct: dict[str, Any]) -> str:
    cells = (
        f"| {s.name:>3} | {name:<10} | {r['rps']:>7.0f} | {r['p50_ms']:>8.2f} | {r['p99_ms']:>8.2f} "
        f"| {r['p50_ms'] - direct['p50_ms']:>+7.2f} | {r['p99_ms'] - direct['p99_ms']:>+7.2f} "
        f"| {100 * r['rps'] / direct['rps']:>5.1f}% |"
    )
    cpu = f" {r['cpu_ms']:.3f} |" if "cpu_ms" in r else "  |"
    lag = "  |  |  |"
    if "lag" in r:
        g, o = r["lag"]["gc"], r["lag"]["own"]
        lag = (
            f" {r['lag']['p50']:.2f} / {r['lag']['p99']:.2f} / {r['lag']['max']:.1f} |"
            f" {o['p99']:.2f} / {o['max']:.1f} | {g[0]} / {g[1]:.1f} / {g[2]} |"
        )
    errs = f" errors {r['errors']}: {r['first_error']}" if r.get("errors") else ""
    return cells + cpu + lag + errs


HEADER = (
    "| scen | target | rps | p50 ms | p99 ms | +p50 ms | +p99 ms | rps % | cpu ms/req "
    "| loop lag p50 / p99 / max ms | lag - cpu wait p99 / max ms | gc n / max ms / gen |\n"
    "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def measure(s: Scenario, ports: dict[str, int], key: str, gw: subprocess.Popen[Any], lag_file: Path,
            args: argparse.Namespace) -> dict[str, Any]:  # fmt: skip
    upstream = ports["slow" if s.slow else "fast"]
    model = "slow/m" if s.slow else "fast/m"
    out: dict[str, Any] = {"scenario": s.name, "stream": s.stream, "concurrency": s.concurrency}
    out["direct"] = run_load(f"http://127.0.0.1:{upstream}/v1/chat/completions", "m", "none", s, args)
    before = cpu_seconds(gw.pid)
    through = run_load(f"http://127.0.0.1:{ports['gateway']}/v1/chat/completions", model, key, s, args)
    through["cpu_ms"] = 1000 * (cpu_seconds(gw.pid) - before) / max(1, through["served"])
    through["lag"] = loop_lag(lag_file, through["window"])
    out["benchroute"] = through
    if "litellm" in ports:
        out["litellm"] = run_load(
            f"http://127.0.0.1:{ports['litellm']}/v1/chat/completions", model, LITELLM_KEY, s, args
        )
    print(row(s, "direct", out["direct"], out["direct"]))
    print(row(s, "benchroute", through, out["direct"]))
    if "litellm" in out:
        print(row(s, "litellm", out["litellm"], out["direct"]))
    out["checks"] = checks(s, out["direct"], through)
    print(
        "      " + "; ".join(f"{text}: {'met' if ok else 'NOT met'}" for text, ok in out["checks"]),
        flush=True,
    )
    return out


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=4.0, help="seconds measured per measurement")
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of load before the measured window"
    )
    parser.add_argument("--only", choices=[s.name for s in SCENARIOS], action="append", help="only these")
    parser.add_argument("--litellm", metavar="BIN", help="the `litellm` proxy binary (its own venv)")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin processes to CPUs")
    parser.add_argument(
        "--lockstep", action="store_true", help="the load's workers start together (load.py: bursts)"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run every process at this niceness (negative needs root: on a machine shared with "
        "other jobs, -10 gives the benchmark's processes the CPUs they are pinned to)",
    )
    parser.add_argument("--profile", metavar="SVG", help="record the gateway with py-spy into SVG")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args()
    args.gw_cpu, args.load_cpu = (1, 0) if args.pin else (None, None)
    return args


def main() -> None:
    args = parse_args()
    group = autogroup_nice(args.nice)
    tmp = Path(tempfile.mkdtemp(prefix="benchroute-overhead-"))
    ports = {"fast": free_port(), "slow": free_port(), "gateway": free_port()}
    config = tmp / "benchroute.toml"
    config.write_text(
        CONFIG.format(port=ports["gateway"], db=tmp / "bench.db", fast=ports["fast"], slow=ports["slow"])
    )
    lag_file = tmp / "lag.txt"
    procs: list[subprocess.Popen[Any]] = []
    try:
        procs.append(start_upstream(ports["fast"], 0, 0, args.load_cpu, args.nice))
        procs.append(start_upstream(ports["slow"], 200, 10, args.load_cpu, args.nice))
        gateway, key = start_gateway(config, tmp / "home", lag_file, args.gw_cpu, args.nice)
        procs.append(gateway)
        if args.litellm:
            ports["litellm"] = free_port()
            lconf = tmp / "litellm.yaml"
            lconf.write_text(LITELLM_CONFIG.format(fast=ports["fast"], slow=ports["slow"]))
            procs.append(start_litellm(args.litellm, lconf, ports["litellm"], args.gw_cpu, args.nice))
        if args.profile:
            raw = ["--format", "raw"] if args.profile.endswith(".txt") else []
            spy = ["py-spy", "record", *raw, "-o", args.profile, "--pid", str(gateway.pid), "--rate", "250"]
            procs.append(subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        now = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        print(
            f"{now}, load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs, pinned: {args.pin}, "
            f"nice: {args.nice} ({group}), workers: {'lockstep' if args.lockstep else 'spread'}"
        )
        idle = (time.time(), time.time() + 2.0)
        time.sleep(2.0)
        lag = loop_lag(lag_file, idle)
        print(
            f"gateway loop lag, idle (the probe's floor): p50 {lag['p50']:.2f} ms, p99 {lag['p99']:.2f} ms"
            f" (less cpu wait: p99 {lag['own']['p99']:.2f} ms)"
        )
        print(HEADER)
        rows = [
            measure(s, ports, key, gateway, lag_file, args)
            for s in SCENARIOS
            if not args.only or s.name in args.only
        ]
        print(TARGETS)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2))
    finally:
        for proc in reversed(procs):
            stop(proc)


if __name__ == "__main__":
    main()
