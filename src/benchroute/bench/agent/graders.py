"""Mechanical graders: they look at the workspace as the agent left it (and its final message)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from benchroute.bench.agent.spec import AgentSpec, write_tree
from benchroute.bench.agent.workspace import Workspace
from benchroute.bench.sandbox import Limits, SandboxResult

GRADE_LIMITS = Limits(cpu_seconds=30, wall_seconds=60.0, memory_bytes=1024 * 1024 * 1024, processes=64)
ANSWER_LINE = re.compile(r"^\s*\**ANSWER\**\s*:\s*(.+?)\s*$", re.I | re.M)


@dataclass(frozen=True, slots=True)
class Grade:
    passed: bool
    reason: str  # why it failed (empty when it passed)
    grader: str


def normalise(answer: str) -> str:
    text = answer.strip().strip("`'\".").strip()
    return re.sub(r"\s+", " ", text).lower()


def final_answer(message: str) -> str | None:
    """The value of the last `ANSWER:` line of the agent's final message, if any."""
    found = ANSWER_LINE.findall(message or "")
    return found[-1] if found else None


def _failed(result: SandboxResult, what: str) -> str:
    return f"{what}: {result.describe() or 'failed'}"


async def _run_check(ws: Workspace, argv: list[str]) -> SandboxResult:
    return await ws.run_argv(argv, GRADE_LIMITS if ws.spec.language == "python" else ws.limits)


async def grade(spec: AgentSpec, ws: Workspace, message: str) -> Grade:
    kind = spec.grader_kind
    g = spec.grader
    if kind == "answer":
        got = final_answer(message)
        if got is None:
            return Grade(False, "no 'ANSWER:' line in the final message", kind)
        ok = normalise(got) == normalise(str(g["expected"]))
        return Grade(ok, "" if ok else f"answer {got[:80]!r} is not the expected one", kind)
    if kind == "file":
        path = ws.root / str(g["path"])
        if not path.is_file():
            return Grade(False, f"{g['path']} does not exist", kind)
        text = path.read_text(encoding="utf-8", errors="replace")
        ok = text.strip() == str(g["equals"]).strip() if "equals" in g else bool(re.search(g["regex"], text))
        return Grade(ok, "" if ok else f"{g['path']} does not have the required content", kind)
    write_tree(ws.root, spec.hidden)
    argv = [str(a) for a in g["argv"]]
    if kind in ("tests", "command"):
        result = await _run_check(ws, argv)
        ok = result.ok
        return Grade(ok, "" if ok else _failed(result, "hidden tests" if kind == "tests" else "check"), kind)
    if kind == "mutation":
        return await _grade_mutation(spec, ws, argv)
    return Grade(False, f"unknown grader {kind!r}", kind)


async def _grade_mutation(spec: AgentSpec, ws: Workspace, argv: list[str]) -> Grade:
    """The agent's tests pass on its repository and fail on every mutant (a known bug)."""
    good = await _run_check(ws, argv)
    if not good.ok:
        return Grade(False, _failed(good, "the tests fail on the correct code"), "mutation")
    originals = {
        name: (ws.root / name).read_text(encoding="utf-8") for m in spec.grader["mutants"] for name in m
    }
    for number, mutant in enumerate(spec.grader["mutants"], 1):
        write_tree(ws.root, mutant)
        bad = await _run_check(ws, argv)
        write_tree(ws.root, {name: originals[name] for name in mutant})
        if bad.ok or bad.timed_out:
            return Grade(
                False, f"the tests do not catch bug {number} of {len(spec.grader['mutants'])}", "mutation"
            )
    return Grade(True, "", "mutation")
