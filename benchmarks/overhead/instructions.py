"""Instructions per request of the gateway process, counted by valgrind's callgrind: a figure that
does not move with the machine's load (CPU time does, by tens of percent on a shared machine).

    python benchmarks/overhead/instructions.py [--n 300] [--stream] [--annotate 40 [--keep FILE]]

The gateway (`benchroute serve`, the overhead benchmark's config: auth on, SQLite usage log, the
usage write-ahead file) runs under `valgrind --tool=callgrind --instr-atstart=no`; one client on
one keep-alive connection sends 30 requests unmeasured, then counting is switched on for `--n`
requests and the total is divided by them. User space only (the kernel's share of a request, its
socket calls, is not counted), every thread of the process (the SQLite writer too). `--stream`:
streamed requests to an upstream that waits 20 ms, then sends 20 chunks 2 ms apart.
Compare trees with `PYTHONPATH=<tree>/src`; runs of one tree agree within ~3%.
The total is split by thread (01: the event loop). `--annotate N` also prints, for the event
loop's thread, the N largest inclusive and exclusive costs per C function
(`callgrind_annotate --inclusive=yes`, per request): the interpreter's own functions
(`_PyEval_EvalFrameDefault`, ...) are not Python functions, but C extensions (orjson, httptools,
sqlite3, hashlib, uvloop) and the runtime's services (allocation, exceptions, GC) show by name.
`--keep FILE` copies the callgrind dump there (open it with `callgrind_annotate` or KCachegrind).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the overhead benchmark's config and processes)
from load import BODY_TEXT  # noqa: E402

# The gateway as `benchroute serve` runs it, with one change: its TTL caches (gateway keys 5 s,
# project settings 2 s, provider keys 5 s) keep their entries for an hour. Under callgrind a
# request takes ~30 ms instead of ~1 ms, so a reload from the store (~2 M instructions through
# SQLAlchemy) came every 60-150 requests instead of every few thousand, and how often depended on
# the machine's load: +-8% between runs of one tree. At full speed they are noise.
HOUR_CACHES = """
from benchroute.gateway import cache
_init = cache.TTLCache.__init__
def _init_hour(self, ttl, **kwargs):
    _init(self, 3600.0, **kwargs)
cache.TTLCache.__init__ = _init_hour
"""
SERVE = (
    HOUR_CACHES
    + """
import sys
from benchroute.cli.main import main
sys.argv = ['benchroute', 'serve']
main()
"""
)


def start_counted_gateway(config: Path, home: Path, out: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "BENCHROUTE_HOME": str(home), "BENCHROUTE_CONFIG": str(config)}
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--separate-threads=yes",
           f"--callgrind-out-file={out}", sys.executable, "-c", SERVE]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return proc, run.read_gateway_key(proc)


def callgrind(pid: int, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="benchroute-instructions-"))
    ports = {"fast": run.free_port(), "slow": run.free_port(), "gateway": run.free_port()}
    config = tmp / "benchroute.toml"
    config.write_text(
        run.CONFIG.format(port=ports["gateway"], db=tmp / "bench.db", fast=ports["fast"], slow=ports["slow"])
    )
    procs: list[subprocess.Popen[Any]] = []
    try:
        procs.append(run.start_upstream(ports["fast"], 0, 0, None, 0))
        procs.append(run.start_upstream(ports["slow"], 20, 2, None, 0))
        gateway, key = start_counted_gateway(config, tmp / "home", tmp / "callgrind.out")
        procs.append(gateway)
        run.wait_port(ports["gateway"], timeout=900)
        model = "slow/m" if args.stream else "fast/m"
        body = json.dumps(
            {"model": model, "stream": args.stream, "messages": [{"role": "user", "content": BODY_TEXT}]}
        ).encode()
        headers = {"content-type": "application/json", "authorization": f"Bearer {key}"}
        conn = http.client.HTTPConnection("127.0.0.1", ports["gateway"], timeout=120)

        def one() -> None:
            conn.request("POST", "/v1/chat/completions", body, headers)
            response = conn.getresponse()
            data = response.read()
            assert response.status == 200, (response.status, data[:200])

        for _ in range(30):
            one()
        callgrind(gateway.pid, "-i", "on")
        callgrind(gateway.pid, "-z")
        for _ in range(args.n):
            one()
        callgrind(gateway.pid, "-d")
        callgrind(gateway.pid, "-i", "off")
        time.sleep(1.0)
        # one file per thread (`-01` the main thread: the event loop); the dump's files share a suffix
        files = sorted(tmp.glob("callgrind.out*"), key=lambda p: p.stat().st_mtime)
        suffix = files[-1].name.rsplit("-", 1)[0]
        per_thread = {}
        for path in files:
            if path.name.rsplit("-", 1)[0] == suffix:
                found = re.search(r"^(?:summary|totals): (\d+)", path.read_text(errors="replace"), re.M)
                assert found is not None, f"no totals in {path}"
                per_thread[path.name.rsplit("-", 1)[1]] = int(found.group(1))
        total = sum(per_thread.values())
        result: dict[str, Any] = {
            "requests": args.n, "stream": args.stream, "instructions_per_request": total / args.n,
            "per_thread": {t: n / args.n for t, n in sorted(per_thread.items())},
        }  # fmt: skip
        if args.annotate or args.keep:
            path = tmp / f"{suffix}-01"
            if args.keep:
                shutil.copyfile(path, args.keep)
            if args.annotate:
                result["inclusive"] = annotate(path, args.annotate, args.n, inclusive=True)
                result["exclusive"] = annotate(path, args.annotate, args.n, inclusive=False)
        return result
    finally:
        for proc in reversed(procs):
            run.stop(proc)


def annotate(path: Path, top: int, requests: int, *, inclusive: bool) -> list[tuple[float, str]]:
    """The `top` largest costs by C function, in instructions per request."""
    out = subprocess.run(
        ["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows: list[tuple[float, str]] = []
    for line in out.splitlines():
        found = re.match(r"^\s*([\d,]+) \([\s\d.]+%\)\s+(\S.*)$", line)
        if found and ":" in found.group(2):
            rows.append((int(found.group(1).replace(",", "")) / requests, found.group(2)))
    rows.sort(key=lambda row: -row[0])
    return rows[:top]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=300, help="requests counted")
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--annotate", type=int, default=0, help="print the N largest costs per C function")
    parser.add_argument("--keep", default="", help="copy the callgrind dump to this file")
    args = parser.parse_args()
    result = measure(args)
    kind = "streamed" if args.stream else "non-streamed"
    per_request = result["instructions_per_request"] / 1e6
    print(f"{kind}: {per_request:.3f} M instructions per request ({args.n} requests)")
    threads = ", ".join(f"{t}: {n / 1e6:.3f} M" for t, n in result["per_thread"].items() if n >= 1000)
    print(f"by thread (01: the event loop; the others: the usage writer's, the thread pool): {threads}")
    for title in ("inclusive", "exclusive"):
        if title in result:
            print(f"\n{title}, instructions per request (k):")
            for cost, name in result[title]:
                print(f"{cost / 1e3:10.1f}  {name[:150]}")


if __name__ == "__main__":
    main()
