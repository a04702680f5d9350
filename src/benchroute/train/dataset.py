"""Assemble the labelled set: load, deduplicate, cap per task type, wrap in request context.

Context augmentation turns a bare prompt into the request a coding assistant would send: a mode
header drawn from `MODE_GIVEN_TYPE` (the prior a person would expect: plan prompts often come from
plan/architect mode, debug prompts from debug mode), a system prompt, an agent tool loop after the
user turn, Kilo-style <task> wrapping, earlier turns. The label never changes: the tool loop and
the turn count must not move the task type.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchroute.train import sources, synth
from benchroute.train.examples import Example, split_of, stable_unit, text_key
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, Tool, ToolCall

# Cap per task type for the task head (largest sources are general/implement/math benchmarks).
TYPE_CAP = 2500
PLAN_EXAMPLES = 900

CODING = ("edit", "implement", "debug", "refactor", "explain", "review", "tests", "docs")

MODE_GIVEN_TYPE: dict[str, tuple[tuple[str | None, float], ...]] = {
    "plan": (("plan", 0.35), ("architect", 0.15), (None, 0.3), ("code", 0.1), ("ask", 0.1)),
    "debug": (("debug", 0.3), (None, 0.35), ("code", 0.25), ("ask", 0.1)),
    "explain": (("ask", 0.35), (None, 0.4), ("code", 0.2), ("explore", 0.05)),
    "review": (("review", 0.2), ("ask", 0.1), (None, 0.4), ("code", 0.3)),
    "general": ((None, 0.7), ("ask", 0.2), ("code", 0.1)),
    "math": ((None, 0.7), ("ask", 0.2), ("code", 0.1)),
}
MODE_DEFAULT: tuple[tuple[str | None, float], ...] = (
    ("code", 0.4),
    (None, 0.4),
    ("build", 0.1),
    ("orchestrator", 0.05),
    ("ask", 0.05),
)

SYSTEM_PROMPTS = (
    "You are Kilo Code, a highly skilled software engineer with extensive knowledge in many languages.",
    "You are a helpful assistant.",
    "You are an expert coding agent. Use the tools provided to read and edit files.",
)
FAILING_RUN = (
    '\nTraceback (most recent call last):\n  File "app.py", line 3, in <module>\nValueError: bad input'
)
TOOLS = [Tool("read_file", "Read a file"), Tool("apply_diff", "Edit a file"), Tool("execute_command", "Run")]


@dataclass(slots=True)
class Dataset:
    examples: list[Example]
    seed: int

    def split(self, name: str) -> list[Example]:
        return [e for e in self.examples if split_of(e.group, self.seed) == name]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for e in self.examples:
            out.setdefault(split_of(e.group, self.seed), Counter())[e.task_type] += 1
        return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def _pick_mode(task: str, rng: random.Random) -> str | None:
    table = MODE_GIVEN_TYPE.get(task, MODE_DEFAULT)
    u = rng.random()
    acc = 0.0
    for mode, p in table:
        acc += p
        if u < acc:
            return mode
    return table[-1][0]


def augment(example: Example, rng: random.Random, tool_snippets: list[str]) -> ChatRequest:
    """Wrap an example's text in a plausible request; the label is unchanged."""
    task = example.task_type
    mode = _pick_mode(task, rng)
    text = example.text
    if rng.random() < 0.15:
        env = "<environment_details>\n# Current Workspace Directory\n/app\n</environment_details>"
        text = f"<task>\n{text}\n</task>\n{env}"
    messages: list[Message] = []
    if rng.random() < 0.6:
        messages.append(Message("system", [TextPart(rng.choice(SYSTEM_PROMPTS))]))
    if rng.random() < 0.15:
        messages.append(Message("user", [TextPart("hi, quick question about my project")]))
        messages.append(Message("assistant", [TextPart("Sure, what do you need?")]))
    messages.append(Message("user", [TextPart(text)]))
    tools: list[Tool] = []
    if task in CODING and rng.random() < 0.3:
        tools = TOOLS
        for i in range(rng.randint(1, 4)):
            call = ToolCall(
                f"call_{i}", rng.choice(["read_file", "execute_command"]), '{"path": "src/app.py"}'
            )
            messages.append(Message("assistant", tool_calls=[call]))
            result = rng.choice(tool_snippets) if tool_snippets else "ok"
            failing = rng.random() < (0.5 if task == "debug" else 0.05)
            if failing:
                result += FAILING_RUN
            messages.append(Message("tool", [TextPart(result)], tool_call_id=f"call_{i}", is_error=failing))
    return ChatRequest(model="auto", messages=messages, tools=tools, context=RequestContext(mode=mode))


def _dedupe(examples: list[Example]) -> list[Example]:
    """One example per normalised text; a difficulty-labelled duplicate wins."""
    best: dict[str, Example] = {}
    for e in examples:
        key = text_key(e.text) + "|" + e.source.split("/")[0] if e.kind == "template" else text_key(e.text)
        old = best.get(key)
        if old is None or (old.difficulty is None and e.difficulty is not None):
            best[key] = e
    return list(best.values())


def _cap(examples: list[Example], seed: int) -> list[Example]:
    """At most TYPE_CAP examples per task type for the task head, kept by a stable hash order.

    Difficulty-labelled examples beyond the cap stay (flagged) for the difficulty head only.
    """
    by_type: dict[str, list[Example]] = {}
    for e in examples:
        by_type.setdefault(e.task_type, []).append(e)
    out = []
    for items in by_type.values():
        items.sort(key=lambda e: stable_unit(e.text, f"cap{seed}"))
        for i, e in enumerate(items):
            if i < TYPE_CAP:
                out.append(e)
            elif e.difficulty is not None:
                e.meta["difficulty_only"] = "1"
                out.append(e)
    return out


def build(data: Path, seed: int = 0, limit: int | None = None) -> Dataset:
    """The full labelled, augmented set. `limit` keeps a stable subset (for fast tests)."""
    examples = sources.load_all(data)
    rows = sources.humanevalpack(data)
    examples += synth.code_examples(rows, seed)
    examples += synth.composed_examples(rows, seed)
    examples += synth.plan_examples(PLAN_EXAMPLES, seed)
    examples = _cap(_dedupe(examples), seed)
    examples.sort(key=lambda e: (e.source, stable_unit(e.text, f"order{seed}")))
    if limit is not None:
        examples = sorted(examples, key=lambda e: stable_unit(e.text, f"limit{seed}"))[:limit]
    rng = random.Random(seed)
    snippets = [f"{r['declaration']}{r['canonical_solution']}"[:800] for r in rows[::7]]
    for e in examples:
        e.request = augment(e, rng, snippets)
    return Dataset(examples, seed)
