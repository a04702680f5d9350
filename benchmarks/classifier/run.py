"""Classifier latency per decision (feature extraction + model), artifact size and load time.

    PYTHONPATH=src taskset -c 0 python benchmarks/classifier/run.py [--n 2000] [--set-repeats 3]

Prompts of ~50, ~1k and ~8k tokens (about 4 characters per token) mix prose, code and a
traceback, sent as a one-turn request and as the last turn of an agent tool loop (and the ~1k one
with its prose in Russian, "1000 tok ru": non-ASCII text); a one-line
instruction over an unfenced 32k-character paste; a 200-message agent conversation (99 tool
calls with their results). Then every request of the labelled request set
(data/requests/requests.jsonl: real client shapes, up to ~100k characters), timed per size bucket.
Thread CPU time is what the classifier costs; wall time adds waiting for a core on a busy machine.

Each shape is timed three ways: at first sight (a classifier without its memo: every request is
new to it; the target's figure), as the next call of a tool loop (the memo knows the user turn,
its cues and TF-IDF row, and the heads run again, as when a new tool result changes the structured
features) and resent (the whole prediction remembered). An agent resends its conversation on every
call; each timed call gets a fresh copy of the request's strings, as a newly parsed body would.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
import time
from pathlib import Path

from benchroute.routing.textclf import TextClassifier, default_path, load_default
from benchroute.train.reqset.records import read_jsonl, to_request
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers
from memo_cases import fresh, next_call

CODE = """def load(rows):
    total = 0
    for row in rows:
        total += row["amount"] * rate(row["currency"])
    return total
"""
PROSE = "The importer sums the amounts of every row but the totals are off for some currencies. "
TRACE = (
    "Traceback (most recent call last):\n  File \"importer.py\", line 41, in <module>\nKeyError: 'amount'\n"
)


# The same prose in Russian: a non-ASCII instruction (each letter a token of the TF-IDF tokenizer).
PROSE_RU = "Импортёр суммирует суммы по всем строкам, но итоги по некоторым валютам неверны. "


def prompt(tokens: int, prose: str = PROSE) -> str:
    block = f"{prose}\n```python\n{CODE}```\n{TRACE}"
    text = "Why does this fail? " if prose == PROSE else "Почему это не работает? "
    while len(text) < tokens * 4:
        text += block
    return text[: tokens * 4]


def request(tokens: int, loop: bool, prose: str = PROSE) -> ChatRequest:
    messages = [
        Message("system", [TextPart("You are a coding agent.")]),
        Message("user", [TextPart(prompt(tokens, prose))]),
    ]
    if loop:
        for i in range(6):
            messages.append(Message("assistant", tool_calls=[ToolCall(f"c{i}", "read_file", "{}")]))
            messages.append(Message("tool", [TextPart(CODE * 20)], tool_call_id=f"c{i}"))
    return ChatRequest(model="auto", messages=messages, context=RequestContext(mode="code"))


def paste_request(chars: int) -> ChatRequest:
    """A one-line instruction over an unfenced paste of `chars` characters of code."""
    paste = (CODE * (chars // len(CODE) + 1))[:chars]
    text = f"write tests for this module\n\n{paste}"
    return ChatRequest(model="auto", messages=[Message("user", [TextPart(text)])])


def long_conversation(messages: int) -> ChatRequest:
    """A system prompt, a task, then tool calls and results (a test run that fails) to `messages`."""
    out = [
        Message("system", [TextPart("You are a coding agent. " * 200)]),
        Message("user", [TextPart("the importer totals are wrong, fix it " + prompt(500))]),
    ]
    i = 0
    while len(out) < messages:
        out.append(Message("assistant", [TextPart("Running the tests.")], [ToolCall(f"c{i}", "bash", "{}")]))
        result = f"{CODE * 10}\nFAILED tests/test_importer.py::test_total - KeyError\n1 failed, 9 passed"
        out.append(Message("tool", [TextPart(result)], tool_call_id=f"c{i}"))
        i += 1
    return ChatRequest(model="auto", messages=out[:messages], context=RequestContext(mode="debug"))


def timed(clf: TextClassifier, req: ChatRequest, n: int, copies: int = 1) -> tuple[list[float], list[float]]:
    """(wall ms, thread CPU ms) of n classify calls, after a warm-up; with `copies` > 1, the calls
    cycle through that many fresh copies of the request."""
    reqs = [req] if copies <= 1 else [fresh(req) for _ in range(copies)]
    for r in reqs * 2:
        clf.classify(r)
    times, cpu = [], []
    for r, _ in zip(itertools.cycle(reqs), range(n), strict=False):
        t = time.perf_counter()
        c = time.thread_time()
        clf.classify(r)
        cpu.append((time.thread_time() - c) * 1000)
        times.append((time.perf_counter() - t) * 1000)
    return times, cpu


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--requests", type=Path, default=Path("data/requests/requests.jsonl"))
    parser.add_argument("--set-repeats", type=int, default=3)
    args = parser.parse_args()

    size = sum(p.stat().st_size for p in default_path().iterdir() if p.is_file())
    t0 = time.perf_counter()
    clf = load_default()
    load_ms = (time.perf_counter() - t0) * 1000
    print(
        f"artifact: {size / 1e6:.2f} MB in {default_path()}; load {load_ms:.0f} ms;"
        f" vocabulary {clf.vectorizer.size}"
    )
    # First sight: a classifier that remembers nothing; then the memo without and with predictions.
    first, loop = dataclasses.replace(clf, memo=None), next_call(clf)
    # Wall time includes waiting for a CPU on a shared machine; thread CPU time does not.
    print(f"{'first sight (no memo)':>61}   {'next call':>17}   {'resent':>17}")
    print(
        f"{'prompt':>16} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'cpu p50':>8} {'cpu p99':>8}"
        + f"   {'cpu p50':>8} {'cpu p99':>8}" * 2
    )
    shapes = [
        (f"{tokens} tok{' +loop' if loop else ''}", request(tokens, loop))
        for tokens in (50, 1000, 8000)
        for loop in (False, True)
    ]
    shapes.insert(3, ("1000 tok ru", request(1000, False, PROSE_RU)))
    shapes += [("32k-char paste", paste_request(32_000)), ("200 messages", long_conversation(200))]
    for label, req in shapes:
        times, cpu = timed(first, req, args.n)
        _, following = timed(loop, req, args.n, copies=20)
        _, again = timed(clf, req, args.n, copies=20)
        print(
            f"{label:>16} {statistics.median(times):8.3f} {percentile(times, 0.99):8.3f}"
            f" {max(times):8.3f} {statistics.median(cpu):8.3f} {percentile(cpu, 0.99):8.3f}"
            f"   {statistics.median(following):8.3f} {percentile(following, 0.99):8.3f}"
            f"   {statistics.median(again):8.3f} {percentile(again, 0.99):8.3f}"
        )
    if args.requests.is_file():
        request_set(first, args.requests, args.set_repeats)


def request_set(clf: TextClassifier, path: Path, repeats: int) -> None:
    """CPU time per classify over the request set's real shapes, by total request size (first
    sight: `clf` without a memo)."""
    buckets: dict[str, list[float]] = {"<4k chars": [], "4k-32k chars": [], ">32k chars": []}
    for rec in read_jsonl(path):
        req = to_request(rec["request"])
        size = sum(len(m.text) for m in req.messages)
        key = "<4k chars" if size < 4000 else "4k-32k chars" if size <= 32000 else ">32k chars"
        for _ in range(repeats):
            c = time.thread_time()
            clf.classify(req)
            buckets[key].append((time.thread_time() - c) * 1000)
    print(f"{'request set':>16} {'n':>6} {'cpu p50':>8} {'cpu p99':>8} {'cpu max':>8}")
    for key, xs in buckets.items():
        if xs:
            print(
                f"{key:>16} {len(xs):6d} {statistics.median(xs):8.3f} {percentile(xs, 0.99):8.3f} "
                f"{max(xs):8.3f}"
            )


if __name__ == "__main__":
    main()
