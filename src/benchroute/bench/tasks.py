"""Benchmark tasks: the JSONL task format and the suites shipped in `benchroute/data/suites/`.

One task a line:

```json
{"id": "humaneval/0", "suite": "humaneval", "task_type": "implement", "difficulty": "easy",
 "messages": [{"role": "user", "content": "…"}],
 "checker": {"kind": "unit_tests", "language": "python", "tests": "…", "entry_point": "f"},
 "source": "openai/human-eval", "license": "MIT"}
```
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from benchroute.routing.taxonomy import DIFFICULTIES, TASK_TYPES, cell, normalize_task_type
from benchroute.wire.canonical import ChatRequest, Message, Role, TextPart

ROLES: dict[str, Role] = {"system": "system", "user": "user", "assistant": "assistant", "tool": "tool"}
CHECKER_KINDS = frozenset(
    {"unit_tests", "exact", "regex", "json_schema", "ast", "bug_catch", "judge", "agent"}
)


class TaskError(ValueError):
    """A task line is malformed."""


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    suite: str
    task_type: str
    difficulty: str
    messages: tuple[dict[str, str], ...]
    checker: dict[str, Any]
    source: str = ""
    license: str = ""
    max_tokens: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cell(self) -> str:
        return cell(self.task_type, self.difficulty)

    @property
    def checker_kind(self) -> str:
        return str(self.checker.get("kind", ""))

    @property
    def provenance(self) -> str:
        return f"{self.source} ({self.license})" if self.license else self.source

    def to_request(
        self, model: str, *, max_tokens: int | None = None, temperature: float = 0.0
    ) -> ChatRequest:
        messages = [Message(role=ROLES[m["role"]], content=[TextPart(m["content"])]) for m in self.messages]
        return ChatRequest(
            model=model,
            messages=messages,
            max_tokens=max_tokens or self.max_tokens,
            temperature=temperature,
        )

    def prompt_chars(self) -> int:
        return sum(len(m["content"]) for m in self.messages)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Task:
        try:
            task = cls(
                id=str(doc["id"]),
                suite=str(doc["suite"]),
                task_type=_route(str(doc["task_type"])),
                difficulty=str(doc["difficulty"]),
                messages=tuple(
                    {"role": str(m["role"]), "content": str(m["content"])} for m in doc["messages"]
                ),
                checker=dict(doc["checker"]),
                source=str(doc.get("source", "")),
                license=str(doc.get("license", "")),
                max_tokens=doc.get("max_tokens"),
                meta=dict(doc.get("meta") or {}),
            )
        except (KeyError, TypeError) as exc:
            raise TaskError(f"task {doc.get('id', '?')!r}: missing or bad field {exc}") from exc
        task.validate()
        return task

    def validate(self) -> None:
        if self.task_type not in TASK_TYPES:
            raise TaskError(f"task {self.id}: unknown task_type {self.task_type!r}")
        if self.difficulty not in DIFFICULTIES:
            raise TaskError(f"task {self.id}: unknown difficulty {self.difficulty!r}")
        if self.checker_kind not in CHECKER_KINDS:
            raise TaskError(f"task {self.id}: unknown checker kind {self.checker_kind!r}")
        if not self.messages:
            raise TaskError(f"task {self.id}: no messages")
        roles = [m.get("role") for m in self.messages if m.get("role") not in ROLES]
        if roles:
            raise TaskError(f"task {self.id}: unknown message role {roles[0]!r}")

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "suite": self.suite,
            "task_type": self.task_type,
            "difficulty": self.difficulty,
            "messages": list(self.messages),
            "checker": self.checker,
            "source": self.source,
            "license": self.license,
        }
        if self.max_tokens is not None:
            doc["max_tokens"] = self.max_tokens
        if self.meta:
            doc["meta"] = self.meta
        return doc


def parse_tasks(lines: Iterable[str | bytes]) -> list[Task]:
    tasks = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise TaskError(f"line {number}: not JSON ({exc})") from exc
        tasks.append(Task.from_dict(doc))
    return tasks


def load_tasks(path: str | Path) -> list[Task]:
    with Path(path).open("rb") as fh:
        return parse_tasks(fh)


def dump_tasks(tasks: Iterable[Task], path: str | Path) -> int:
    count = 0
    with Path(path).open("wb") as fh:
        for task in tasks:
            fh.write(orjson.dumps(task.to_dict()) + b"\n")
            count += 1
    return count


def suites_dir() -> Path:
    return Path(str(resources.files("benchroute") / "data" / "suites"))


def shipped_suites() -> list[str]:
    """Names of the suites shipped with the package."""
    directory = suites_dir()
    return sorted(p.stem for p in directory.glob("*.jsonl")) if directory.is_dir() else []


def load_suite(name: str) -> list[Task]:
    """A shipped suite by name, or any JSONL task file by path."""
    path = Path(name)
    if path.suffix == ".jsonl" and path.is_file():
        return load_tasks(path)
    shipped = suites_dir() / f"{name}.jsonl"
    if not shipped.is_file():
        raise TaskError(f"no suite {name!r} (shipped: {', '.join(shipped_suites()) or 'none'})")
    return load_tasks(shipped)


def load_suites(names: Sequence[str]) -> list[Task]:
    """Several suites; "all" means every shipped suite."""
    wanted = shipped_suites() if list(names) == ["all"] else list(names)
    return [task for name in wanted for task in load_suite(name)]


def sample_tasks(tasks: Sequence[Task], k: int | None, seed: int = 0) -> list[Task]:
    """A reproducible sample of `k` tasks, stratified by cell so every cell keeps some tasks."""
    if k is None or k >= len(tasks):
        return list(tasks)
    rng = random.Random(seed)
    by_cell: dict[str, list[Task]] = {}
    for task in tasks:
        by_cell.setdefault(task.cell, []).append(task)
    for group in by_cell.values():
        rng.shuffle(group)
    picked: list[Task] = []
    cells = sorted(by_cell)
    while len(picked) < k:
        for c in cells:
            if by_cell[c] and len(picked) < k:
                picked.append(by_cell[c].pop())
    return picked


def _route(task_type: str) -> str:
    """The current route of a task type (legacy suites say "edit" / "math"); unknown names are
    kept as written, for `validate` to reject with the task's id."""
    try:
        return normalize_task_type(task_type)
    except ValueError:
        return task_type
