"""Routing decisions on realistic client requests, through a running gateway, at three dials.

66 requests written by hand in the shapes the clients send (26 Kilo Code: long agent system prompt,
12 tools, `x-kilocode-mode` and task id; 18 Claude Code: Messages API, Bash/Read/Edit/Grep tools,
system reminders, tool results; 12 Codex: Responses API, shell/apply_patch tools, AGENTS.md and
environment turns; 10 plain SDK), each with the route and difficulty a person would give it
(`usertest_requests.jsonl`). For each dial the script starts `benchroute serve` on a free loopback
port with a fresh data dir and a dummy value in every built-in provider's key variable (so every
model counts as callable), sends each request to `POST /v1/route` (the Decision, no model is
called), stops the gateway by PID and prints: reason shares, how often the dial changes the choice,
monotonicity of cost and accuracy in the dial, agreement with the labels, and capability misses.

    python benchmarks/policy/usertest.py [--dials 0,0.5,1] [--show]

`--show` also prints every decision, one line per request: its label, the classifier's reading,
and the model (with the reason when it is not the rule's) at each dial.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchroute.catalog.loader import load_catalog
from benchroute.providers.registry import BUILTIN_PROVIDERS
from benchroute.settings import Settings

HERE = Path(__file__).resolve().parent
REQUESTS = HERE / "usertest_requests.jsonl"
FRONTIER_MARK = "anthropic/claude-fable-5"
TOOL_ITEMS = ("function_call", "function_call_output")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def has_tools(body: dict[str, Any]) -> bool:
    items = body.get("messages", body.get("input", []))
    return bool(body.get("tools")) or any(
        isinstance(x, dict)
        and (
            x.get("tool_calls")
            or x.get("role") == "tool"
            or x.get("type") in ("function_call", "function_call_output")
        )
        for x in (items if isinstance(items, list) else [])
    )


def post(base: str, key: str, req: dict[str, Any]) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json", **req["headers"]}
    data = json.dumps(req["body"]).encode()
    http = urllib.request.Request(
        f"{base}/v1/route?api={req['api']}", data=data, headers=headers, method="POST"
    )
    with urllib.request.urlopen(http, timeout=60) as resp:
        out: dict[str, Any] = json.load(resp)
    return out


def run_dial(dial: str, requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "BENCHROUTE_HOME": home, "BENCHROUTE_SERVER__HOST": "127.0.0.1"}
        env |= {"BENCHROUTE_SERVER__PORT": str(port), "BENCHROUTE_PROJECTS__DEFAULT__DIAL": dial}
        env |= {s.api_key_env: f"dummy-{s.name}" for s in BUILTIN_PROVIDERS if s.api_key_env}
        log = Path(home) / "serve.log"
        with log.open("w") as out:
            proc = subprocess.Popen(["benchroute", "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).close()
                    break
                except (urllib.error.URLError, OSError):
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise SystemExit(f"gateway did not start:\n{log.read_text()}") from None
                    time.sleep(0.2)
            found = re.search(r"br-[A-Za-z0-9_-]+", log.read_text())
            assert found, "no gateway key printed"
            return {r["id"]: post(base, found.group(0), r) for r in requests}
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def chosen_accuracy(decision: dict[str, Any]) -> float | None:
    for c in decision.get("candidates", []):
        if c["model"].split("@")[0] == decision["model"]:
            return float(c["expected_accuracy"])
    return None


def report(requests: list[dict[str, Any]], by_dial: dict[str, dict[str, dict[str, Any]]]) -> None:
    catalog = load_catalog(Settings())
    ids = [r["id"] for r in requests]
    dials = list(by_dial)
    for d, res in by_dial.items():
        reasons = collections.Counter(x["reason"] for x in res.values())
        shares = ", ".join(f"{k} {v} ({v / len(res):.0%})" for k, v in reasons.most_common())
        cost = sum(x.get("expected_cost") or 0.0 for x in res.values()) / len(res)
        top = sum(1 for x in res.values() if x["model"] == FRONTIER_MARK)
        accs = [a for a in map(chosen_accuracy, res.values()) if a is not None]
        mean_acc = sum(accs) / len(accs) if accs else float("nan")
        print(
            f"dial {d}: {shares}\n   mean expected cost ${cost:.4f}; mean expected accuracy of the "
            f"chosen model {mean_acc:.3f} ({len(accs)} with one); to {FRONTIER_MARK}: {top}/{len(res)}"
        )
    lo, hi = by_dial[dials[0]], by_dial[dials[-1]]
    changed = sum(lo[i]["model"] != hi[i]["model"] for i in ids)
    print(f"dial {dials[0]} vs {dials[-1]}: different model in {changed}/{len(ids)}")
    for a, b in itertools.pairwise(dials):
        diff = sum(by_dial[a][i]["model"] != by_dial[b][i]["model"] for i in ids)
        worse = [
            i
            for i in ids
            if (by_dial[a][i].get("expected_cost") or 0) > (by_dial[b][i].get("expected_cost") or 0) + 1e-12
        ]
        acc = {i: (chosen_accuracy(by_dial[a][i]), chosen_accuracy(by_dial[b][i])) for i in ids}
        down = [i for i, (x, y) in acc.items() if x is not None and y is not None and x > y + 1e-9]
        print(f"dial {a} -> {b}: {diff} changes; cost goes down for {len(worse)}, accuracy for {len(down)}")
        for i in sorted(set(worse) | set(down)):
            x, y = by_dial[a][i], by_dial[b][i]
            print(f"  {i}: {x['model']} ({x['reason']}) -> {y['model']} ({y['reason']})")
    first = by_dial[dials[0]]
    labelled = [r for r in requests if first[r["id"]].get("cells")]
    route_ok = both_ok = 0
    for r in labelled:
        cells = first[r["id"]]["cells"]
        top = max(cells, key=cells.get)
        route_ok += top.split(":")[0] == r["expect"].split(":")[0]
        both_ok += top == r["expect"]
        if top.split(":")[0] != r["expect"].split(":")[0]:
            print(f"  misread {r['id']}: read {top} ({cells[top]:.2f}), labelled {r['expect']}")
    n = len(labelled)
    print(f"route agrees with the label: {route_ok}/{n}; route and difficulty: {both_ok}/{n}")
    misses = []
    for r in requests:
        for d in dials:
            info = catalog.get(by_dial[d][r["id"]]["model"])
            if has_tools(r["body"]) and info is not None and not info.tools:
                misses.append((r["id"], d))
    print(f"tool-using requests routed to a model without tools: {len(misses)} {misses}")


def show(requests: list[dict[str, Any]], by_dial: dict[str, dict[str, dict[str, Any]]]) -> None:
    """One line per request: id, label, reading, then the model at each dial."""
    rule = {"cheapest_above_bar", "best_accuracy"}
    for r in requests:
        first = next(iter(by_dial.values()))[r["id"]]
        cells = first.get("cells") or {}
        top = max(cells, key=cells.get) if cells else "-"
        read = f"{top} {cells[top]:.2f}" if cells else "-"
        picks = []
        for d, res in by_dial.items():
            x = res[r["id"]]
            why = "" if x["reason"] in rule else f" ({x['reason']})"
            picks.append(f"{d}: {x['model']}{why}")
        print(f"{r['id']:>4} {r['expect']:<18} read {read:<22} " + " | ".join(picks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dials", default="0,0.5,1")
    parser.add_argument("--show", action="store_true", help="print every decision")
    args = parser.parse_args()
    requests = [json.loads(line) for line in REQUESTS.read_text().splitlines() if line.strip()]
    by_dial = {d: run_dial(d, requests) for d in args.dials.split(",")}
    print(f"{len(requests)} requests ({sys.executable})")
    if args.show:
        show(requests, by_dial)
    report(requests, by_dial)


if __name__ == "__main__":
    main()
