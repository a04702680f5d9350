"""Python bytecodes executed per request in the gateway's event-loop thread, per function: what
callgrind (`instructions.py`) cannot say, since every Python function is the interpreter's
`_PyEval_EvalFrameDefault` to it.

    python benchmarks/overhead/bytecodes.py [--n 200] [--top 50]

The gateway (`benchroute serve`, the overhead benchmark's config, TTL caches kept an hour as in
`instructions.py`) counts with `sys.settrace` (opcode events) while one client on one keep-alive
connection sends `--n` non-streamed requests (after 100 unmeasured). Printed per request: the
total, then the top functions inclusive (a function counted once per bytecode executed under it)
and by their own bytecodes. Deterministic (the count does not depend on the machine), but a
bytecode is not a unit of cost: a CALL of a C function is one bytecode whatever the function does
(`object.__setattr__` ~1,300 instructions, `sha256` ~30 per byte); read it beside
`instructions.py`. Under the tracer a request takes ~10 ms, so each request is its own usage
writer batch (at full speed a batch holds ~35): the writer task's share is larger here.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the overhead benchmark's config and processes)
from instructions import HOUR_CACHES  # noqa: E402  (the same gateway, caches kept an hour)
from load import BODY_TEXT  # noqa: E402

# The counting gateway: SIGUSR1 starts counting, SIGUSR2 stops and writes the counts to argv[1].
SERVE = (
    HOUR_CACHES
    + """
import collections, json, signal, sys
out = sys.argv[1]
own, under = collections.Counter(), collections.Counter()
def name(code):
    path = code.co_filename.split("site-packages/")[-1].split("src/")[-1].split("python3.11/")[-1]
    return path + ":" + code.co_qualname
def local(frame, event, arg):
    if event == "opcode":
        own[name(frame.f_code)] += 1
        seen = set()
        while frame is not None:
            n = name(frame.f_code)
            if n not in seen:
                seen.add(n)
                under[n] += 1
            frame = frame.f_back
    return local
def start(frame, event, arg):
    frame.f_trace_opcodes = True
    return local
def on(*_):
    sys.settrace(start)
def off(*_):
    sys.settrace(None)
    with open(out, "w") as f:
        json.dump({"own": own, "under": under}, f)
signal.signal(signal.SIGUSR1, on)
signal.signal(signal.SIGUSR2, off)
from benchroute.cli.main import main
sys.argv = ["benchroute", "serve"]
main()
"""
)


def measure(n: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="benchroute-bytecodes-"))
    ports = {"fast": run.free_port(), "slow": run.free_port(), "gateway": run.free_port()}
    config = tmp / "benchroute.toml"
    config.write_text(
        run.CONFIG.format(port=ports["gateway"], db=tmp / "bench.db", fast=ports["fast"], slow=ports["slow"])
    )
    counts = tmp / "counts.json"
    procs: list[subprocess.Popen[Any]] = []
    try:
        procs.append(run.start_upstream(ports["fast"], 0, 0, None, 0))
        env = {**os.environ, "BENCHROUTE_HOME": str(tmp / "home"), "BENCHROUTE_CONFIG": str(config)}
        cmd = [sys.executable, "-c", SERVE, str(counts)]
        gateway = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(gateway)
        key = run.read_gateway_key(gateway)
        run.wait_port(ports["gateway"])
        body = json.dumps(
            {"model": "fast/m", "stream": False, "messages": [{"role": "user", "content": BODY_TEXT}]}
        ).encode()
        headers = {"content-type": "application/json", "authorization": f"Bearer {key}"}
        conn = http.client.HTTPConnection("127.0.0.1", ports["gateway"], timeout=60)

        def one() -> None:
            conn.request("POST", "/v1/chat/completions", body, headers)
            response = conn.getresponse()
            data = response.read()
            assert response.status == 200, (response.status, data[:200])

        for _ in range(100):
            one()
        gateway.send_signal(signal.SIGUSR1)
        time.sleep(0.3)
        for _ in range(n):
            one()
        time.sleep(0.3)  # the last request's records reach the writer
        gateway.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 30
        while not counts.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        data: dict[str, Any] = json.loads(counts.read_text())
        return data
    finally:
        for proc in reversed(procs):
            run.stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="requests counted")
    parser.add_argument("--top", type=int, default=50)
    args = parser.parse_args()
    data = measure(args.n)
    total = sum(data["own"].values())
    print(f"non-streamed: {total / args.n:.0f} bytecodes per request in the event loop's thread")
    for title, key in (("inclusive", "under"), ("own", "own")):
        print(f"\n{title}, bytecodes per request:")
        for name, count in sorted(data[key].items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"{count / args.n:8.0f} {100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
