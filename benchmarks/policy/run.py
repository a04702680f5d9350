#!/usr/bin/env python3
"""Router decision latency beyond the classifier: prints per-call CPU time (best of 5 runs).

    PYTHONPATH=src taskset -c 1 python benchmarks/policy/run.py [--n 3000]

The classifier is replaced by a fixed prediction taken from the shipped classifier for the same
prompt, so the figures are the routing policy's own cost (target: under ~300 us per decide()).
Three big requests are also timed per call, p50 and p99, policy alone and end to end with the
shipped classifier (target: p99 ≤ 1 ms): an 8k-token agent request, a one-line instruction over a
32k-character paste, and a 200-message agent conversation (99 tool calls with their results).
CPU time (`time.process_time`, `time.thread_time`) rather than wall time, so a busy machine
distorts less. With the classifier, each request is timed at first sight (a classifier without its
memo: the target's figure), as the next call of a tool loop (the memo knows the user turn, the
heads run again) and resent (the prediction remembered); each call gets a fresh copy of the
request's strings, as a newly parsed body would.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.policy import estimate_prompt_tokens
from benchroute.routing.router import Router
from benchroute.routing.textclf import TextClassifier
from benchroute.settings import ProjectSettings, Settings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, Tool, ToolCall

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers
from memo_cases import fresh, next_call

PROMPT = "Write a Python function that merges two sorted lists and add tests for it. " * 10


class Fixed:
    def __init__(self, prediction: CellPrediction) -> None:
        self.prediction = prediction

    def classify(self, request: ChatRequest) -> CellPrediction:
        return self.prediction


def cpu_us(fn: Callable[[], object], n: int) -> float:
    for _ in range(min(n, 200)):
        fn()
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n * 1e6)
    return best


def agent_request_8k() -> ChatRequest:
    """A Kilo-shaped agent call of about 8,000 prompt tokens: system prompt, tools, pasted code."""
    code = "def handler(event, context):\n    return process(event['body'])  # noqa\n" * 400
    system = "You are Kilo Code, a highly skilled software engineer. Use the tools to act. " * 40
    tools = [
        Tool(name=f"tool_{i}", description="Read, write or search files in the workspace " * 3)
        for i in range(12)
    ]
    messages = [
        Message(role="system", content=[TextPart(system)]),
        Message(
            role="user", content=[TextPart("The Lambda handler crashes on empty bodies. Fix it.\n" + code)]
        ),
    ]
    return ChatRequest(model="auto", messages=messages, tools=tools, context=RequestContext(mode="code"))


CODE = 'def load(rows):\n    return sum(row["amount"] * rate(row["currency"]) for row in rows)\n'


def paste_32k() -> ChatRequest:
    """A one-line instruction over an unfenced 32,000-character paste of code."""
    paste = (CODE * (32_000 // len(CODE) + 1))[:32_000]
    return ChatRequest("auto", [Message("user", [TextPart(f"write tests for this module\n\n{paste}")])])


def conversation_200() -> ChatRequest:
    """A system prompt, a task, then 99 tool calls (a test run) with their results: 200 messages."""
    out = [
        Message("system", [TextPart("You are a coding agent. " * 200)]),
        Message("user", [TextPart("the importer totals are wrong, fix it\n" + CODE * 20)]),
    ]
    for i in range(99):
        out.append(Message("assistant", [TextPart("Running the tests.")], [ToolCall(f"c{i}", "bash", "{}")]))
        result = f"{CODE * 10}\nFAILED tests/test_importer.py::test_total - KeyError\n1 failed, 9 passed"
        out.append(Message("tool", [TextPart(result)], tool_call_id=f"c{i}"))
    return ChatRequest("auto", out, context=RequestContext(mode="debug"))


def percentiles_us(
    fn: Callable[[ChatRequest], object], req: ChatRequest, n: int, copies: int = 1
) -> tuple[float, float]:
    """(p50, p99) CPU time per call of `fn(req)` in microseconds (CPU time: on a shared machine,
    wall time measures the other processes' scheduling); with `copies` > 1, the calls cycle
    through that many fresh copies of the request."""
    reqs = [req] if copies <= 1 else [fresh(req) for _ in range(copies)]
    for r, _ in zip(itertools.cycle(reqs), range(min(n, 100)), strict=False):
        fn(r)
    times = []
    clock = time.thread_time
    for r, _ in zip(itertools.cycle(reqs), range(n), strict=False):
        start = clock()
        fn(r)
        times.append((clock() - start) * 1e6)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    n = ap.parse_args().n
    t0 = time.perf_counter()
    real = Router.default(Settings())
    load_ms = (time.perf_counter() - t0) * 1e3
    messages = [Message(role="user", content=[TextPart(PROMPT)])]
    req = ChatRequest(model="auto", messages=messages)
    router = Router(real.catalog, real.snapshot, Fixed(real.classifier.classify(req)), real.tiers)
    project, ctx = ProjectSettings(dial=0.5), RouteContext()
    body = {"model": "auto", "messages": [{"role": "user", "content": PROMPT}]}
    plan = ChatRequest(model="auto/frontier", messages=messages, context=RequestContext(mode="plan"))
    rows = [
        ("route() auto/efficient", lambda: router.route(req, project, ctx)),
        ("decide(body, headers) auto/efficient", lambda: router.decide(body, {"x-kilocode-mode": "code"})),
        ("route() auto/frontier, mode plan", lambda: router.route(plan, project, ctx)),
        ("route() auto/balanced", lambda: router.route(ChatRequest("auto/balanced", messages), project, ctx)),
        (
            "route() auto/free",
            lambda: router.route(ChatRequest("auto/free", messages), project, RouteContext(session_key="s")),
        ),
        ("classifier.classify (for scale)", lambda: real.classifier.classify(req)),
    ]
    print(f"models in the table: {len(router.table.models)}, cells: {len(router.table.cells)}")
    print(f"Router.default(): {load_ms:.1f} ms (catalog, leaderboard, classifier from disk)")
    t0 = time.perf_counter()
    router.with_snapshot(router.snapshot)
    print(f"with_snapshot(): {(time.perf_counter() - t0) * 1e3:.2f} ms (table rebuild)")
    for name, fn in rows:
        print(f"{name}: {cpu_us(fn, n):.1f} us CPU per call")
    big = agent_request_8k()
    print(f"8k-token agent request: {estimate_prompt_tokens(big)} prompt tokens (estimate)")
    shapes = (
        ("8k agent request", big),
        ("32k-char paste", paste_32k()),
        ("200 messages", conversation_200()),
    )
    classifier = real.classifier
    assert isinstance(classifier, TextClassifier)
    first = Router(real.catalog, real.snapshot, dataclasses.replace(classifier, memo=None), real.tiers)
    loop = Router(real.catalog, real.snapshot, next_call(classifier), real.tiers)
    for name, request in shapes:
        fixed = Router(real.catalog, real.snapshot, Fixed(classifier.classify(request)), real.tiers)
        for label, r, copies in (
            ("policy only (fixed prediction)", fixed, 1),
            ("with the shipped classifier, first sight", first, 1),
            ("with the shipped classifier, next call", loop, 20),
            ("with the shipped classifier, resent", real, 20),
        ):
            p50, p99 = percentiles_us(
                lambda q, r=r: r.route(q, project, ctx), request, max(n // 3, 300), copies
            )
            print(f"route() {name}, {label}: p50 {p50:.0f} us, p99 {p99:.0f} us")


if __name__ == "__main__":
    main()
