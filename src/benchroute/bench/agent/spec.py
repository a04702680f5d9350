"""The agent task format, carried inside the ordinary `Task` (so suites, sampling, resuming and the
schedule treat agent tasks like any other): `checker.kind == "agent"`, the instruction is the one
user message, and `meta` holds the repository and the grader.

```json
{"id": "agent/debug/py/easy/12", "suite": "agent", "task_type": "debug", "difficulty": "easy",
 "messages": [{"role": "user", "content": "longest() returns the last ... Fix it."}],
 "checker": {"kind": "agent", "grader": "tests"},
 "meta": {"mode": "debug", "language": "python",
          "files": {"strings.py": "..."},             # the repository the agent starts from
          "hidden": {".grade/test_hidden.py": "..."}, # copied in only to grade
          "grader": {"kind": "tests", "argv": ["python", ".grade/test_hidden.py"]},
          "reference": {"files": {"strings.py": "..."}}},  # a known-good end state (verification)
 "source": "generated from bigcode-project/octopack HumanEvalPack", "license": "MIT"}
```

Graders (`meta.grader.kind`): `tests` (hidden files copied in, `argv` must exit 0), `answer` (the
agent's final message has a line `ANSWER: <x>` equal to `expected` after normalising whitespace and
case), `file` (`path`'s content equals `equals` or matches `regex`), `command` (like `tests`, but
the check is a script about the command's effect), `mutation` (the agent's tests, `argv`, must pass
on the repository as left and fail with every file set in `mutants` applied).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task, TaskError

AGENT_CHECKER = "agent"
MODES = ("code", "debug", "architect", "ask")
GRADER_KINDS = frozenset({"tests", "answer", "file", "command", "mutation"})
AGENT_ROUTES = ("implement", "debug", "refactor", "tests", "explain", "command")


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """The agent part of a task, read from its `meta`."""

    task: Task
    mode: str
    language: str
    files: Mapping[str, str]
    hidden: Mapping[str, str]
    grader: Mapping[str, Any]

    @property
    def instruction(self) -> str:
        return self.task.messages[-1]["content"]

    @property
    def grader_kind(self) -> str:
        return str(self.grader.get("kind", ""))

    @property
    def needs_tools(self) -> bool:
        """Every agent task needs the workspace: even an answer has to be found in it."""
        return True

    def reference_files(self) -> Mapping[str, str]:
        ref = self.task.meta.get("reference") or {}
        return dict(ref.get("files") or {})

    def reference_answer(self) -> str:
        ref = self.task.meta.get("reference") or {}
        return str(ref.get("answer", ""))


def is_agent_task(task: Task) -> bool:
    return task.checker_kind == AGENT_CHECKER


def agent_spec(task: Task) -> AgentSpec:
    meta = task.meta
    try:
        spec = AgentSpec(
            task=task,
            mode=str(meta.get("mode", "code")),
            language=str(meta["language"]),
            files=dict(meta["files"]),
            hidden=dict(meta.get("hidden") or {}),
            grader=dict(meta["grader"]),
        )
    except (KeyError, TypeError) as exc:
        raise TaskError(f"agent task {task.id}: missing or bad meta field {exc}") from exc
    if spec.mode not in MODES:
        raise TaskError(f"agent task {task.id}: unknown mode {spec.mode!r}")
    if spec.grader_kind not in GRADER_KINDS:
        raise TaskError(f"agent task {task.id}: unknown grader {spec.grader_kind!r}")
    for name in [*spec.files, *spec.hidden]:
        if name.startswith("/") or ".." in Path(name).parts:
            raise TaskError(f"agent task {task.id}: file path {name!r} leaves the workspace")
    return spec


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    """Write files under `root`, readable and writable by the sandbox's unprivileged uid.

    Whatever the agent left at a path (a symlink out of the workspace above all) is replaced, never
    written through: this runs with the grader's privileges."""
    for name, text in files.items():
        target = root / name
        current = root
        for part in Path(name).parts[:-1]:
            current = current / part
            if current.is_symlink() or (current.exists() and not current.is_dir()):
                current.unlink()
            if not current.exists():
                current.mkdir()
                os.chmod(current, 0o777)
        if target.is_symlink() or target.is_file():
            target.unlink()
        with target.open("x", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(target, 0o666)
