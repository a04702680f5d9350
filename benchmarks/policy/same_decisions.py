#!/usr/bin/env python3
"""Decisions on a fixed corpus, written as JSON lines, to check that a speed-up changes nothing.

    PYTHONPATH=<old checkout>/src python benchmarks/policy/same_decisions.py --out /tmp/old.jsonl
    PYTHONPATH=src python benchmarks/policy/same_decisions.py --out /tmp/new.jsonl --against /tmp/old.jsonl

The corpus: the 66 client-shaped requests of `usertest_requests.jsonl` (chat, messages and
responses bodies with their headers), every request of the labelled request set
(data/requests/requests.jsonl), a 32k-character paste and a 200-message agent conversation. Each
is routed with the shipped catalog, leaderboard and classifier at dial 0, 0.5 and 1, and (every
fifth request) with a project that allows only some models, with the top models in cooldown, and
with a high confidence bar (the unsure path: the worse of the likely readings). Every field of
each Decision is written (model, reason, bar, costs, fallbacks, candidates with their numbers and
notes, the explanation); `--against` prints the first differences and exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchroute.routing.base import RouteContext
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, Settings
from benchroute.train.reqset.records import read_jsonl, to_request
from benchroute.wire import anthropic, chat, responses
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall
from benchroute.wire.context import request_context

HERE = Path(__file__).resolve().parent
PARSERS = {
    "chat": chat.parse_request,
    "messages": anthropic.parse_request,
    "responses": responses.parse_request,
}
CODE = 'def load(rows):\n    return sum(row["amount"] for row in rows)\n'


def usertest() -> Iterator[tuple[str, ChatRequest]]:
    for i, line in enumerate((HERE / "usertest_requests.jsonl").read_text().splitlines()):
        rec = json.loads(line)
        headers = {k.lower(): v for k, v in rec["headers"].items()}
        ctx = request_context(headers, api_kind=rec["api"], project="default", key_id=None)
        yield f"usertest:{i}", PARSERS[rec["api"]](rec["body"], ctx)


def request_set(path: Path) -> Iterator[tuple[str, ChatRequest]]:
    if path.is_file():
        for rec in read_jsonl(path):
            yield f"set:{rec['id']}", to_request(rec["request"])


def synthetic() -> Iterator[tuple[str, ChatRequest]]:
    paste = (CODE * 800)[:32_000]
    yield "paste32k", ChatRequest("auto", [Message("user", [TextPart(f"write tests for this\n\n{paste}")])])
    out = [
        Message("system", [TextPart("You are a coding agent. " * 200)]),
        Message("user", [TextPart("fix it")]),
    ]
    for i in range(99):
        out.append(Message("assistant", [TextPart("Running.")], [ToolCall(f"c{i}", "bash", "{}")]))
        out.append(Message("tool", [TextPart(CODE * 10 + "1 failed")], tool_call_id=f"c{i}"))
    yield "conv200", ChatRequest("auto", out[:200], context=RequestContext(mode="debug"))


def variants(router: Router, n: int) -> list[tuple[str, ProjectSettings, RouteContext]]:
    out = [(f"dial{d}", ProjectSettings(dial=d), RouteContext()) for d in (0.0, 0.5, 1.0)]
    if n % 5 == 0:
        models = router.table.models
        top = frozenset(m.partition("@")[0] for m in models[:: max(1, len(models) // 8)])
        some = ["openai/*", "google/*", "deepseek/*"]
        out += [
            ("allowed", ProjectSettings(dial=0.5, allowed_models=some), RouteContext()),
            ("cooldown", ProjectSettings(dial=0.3), RouteContext(unavailable=top)),
            ("unsure", ProjectSettings(dial=0.7, min_confidence=0.95), RouteContext(session_key="s")),
        ]
    return out


def decisions(requests: Path) -> Iterator[dict[str, Any]]:
    router = Router.default(Settings())
    corpus = [*usertest(), *synthetic(), *request_set(requests)]
    for n, (name, req) in enumerate(corpus):
        for label, project, ctx in variants(router, n):
            try:
                d = router.route(req, project, ctx).to_dict()
            except Exception as exc:  # a routing error is a result too
                d = {"error": f"{type(exc).__name__}: {exc}"}
            d.pop("id", None)
            yield {"request": name, "variant": label, "decision": d}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--against", type=Path)
    ap.add_argument("--requests", type=Path, default=Path("data/requests/requests.jsonl"))
    args = ap.parse_args()
    lines = [json.dumps(d, sort_keys=True) for d in decisions(args.requests)]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} decisions written to {args.out}")
    if args.against is None:
        return
    old = args.against.read_text().splitlines()
    diffs = [(a, b) for a, b in zip(old, lines, strict=False) if a != b]
    if len(old) != len(lines):
        print(f"different counts: {len(old)} before, {len(lines)} now")
    for a, b in diffs[:5]:
        print(f"- {a[:400]}\n+ {b[:400]}")
    print(f"{len(diffs)} of {len(lines)} decisions differ")
    sys.exit(1 if diffs or len(old) != len(lines) else 0)


if __name__ == "__main__":
    main()
