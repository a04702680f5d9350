"""Lay out HumanEvalPack functions as a small repository: one file (easy) or a package of several
modules with unrelated functions around the ones the task is about (medium, hard)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchroute.bench.tasks import Task

from .agent_lang import Lang, Row
from .common import Source, user

MODULE_NAMES = (
    "text",
    "numbers",
    "lists",
    "parsing",
    "checks",
    "convert",
    "search",
    "stats",
    "util",
    "shapes",
)
HEPACK_AGENT = Source("generated from bigcode-project/octopack HumanEvalPack", "MIT")
TEAM = Source("benchroute team-written generator", "Apache-2.0")


@dataclass
class Repo:
    """Modules (path -> [(row, body)]), where each function lives, and extra files."""

    lang: Lang
    modules: dict[str, list[tuple[Row, str]]] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)  # entry point -> module path
    extra: dict[str, str] = field(default_factory=dict)  # module path -> extra code after functions
    requires: dict[str, str] = field(default_factory=dict)  # module path -> import lines
    files: dict[str, str] = field(default_factory=dict)  # other files, verbatim

    @property
    def packaged(self) -> bool:
        return any("/" in m for m in self.modules)

    def render(self, bodies: Mapping[str, str] | None = None) -> dict[str, str]:
        """Every file; `bodies` overrides the body of the named functions."""
        out = dict(self.files)
        for path, parts in self.modules.items():
            chosen = [(row, (bodies or {}).get(row["entry_point"], body)) for row, body in parts]
            out[path] = self.lang.module(chosen, self.extra.get(path, ""), self.requires.get(path, ""))
        if self.lang.name == "python" and self.packaged:
            out.setdefault("pkg/__init__.py", '"""A small utility package."""\n')
        return out


def module_path(lang: Lang, name: str, packaged: bool) -> str:
    if lang.name == "python":
        return f"pkg/{name}.py" if packaged else f"{name}.py"
    return f"src/{name}.js" if packaged else f"{name}.js"


def layout(
    lang: Lang,
    difficulty: str,
    targets: Sequence[tuple[Row, str]],
    rng: random.Random,
    distractors: Sequence[Row],
) -> Repo:
    """easy: the targets alone in `solution`; medium: 4 modules, 3 functions each; hard: 6 modules."""
    repo = Repo(lang)
    if difficulty == "easy":
        path = module_path(lang, "solution", False)
        repo.modules[path] = list(targets)
        repo.where.update({row["entry_point"]: path for row, _ in targets})
        return repo
    count = 4 if difficulty == "medium" else 6
    names = rng.sample(MODULE_NAMES, count)
    parts: list[tuple[Row, str]] = [*targets, *((row, "canonical") for row in distractors)]
    rng.shuffle(parts)
    # targets go to different modules, so a hard task spans several files
    slots = [module_path(lang, n, True) for n in names]
    for i, (row, body) in enumerate(sorted(parts, key=lambda p: p[1] == "canonical")):
        path = slots[i % count]
        repo.modules.setdefault(path, []).append((row, body))
        repo.where[row["entry_point"]] = path
    return repo


def agent_task(
    *,
    source: Source,
    route: str,
    difficulty: str,
    lang: Lang,
    key: str,
    mode: str,
    instruction: str,
    files: Mapping[str, str],
    grader: Mapping[str, Any],
    hidden: Mapping[str, str] | None = None,
    reference: Mapping[str, Any] | None = None,
) -> Task:
    return Task(
        id=f"agent/{route}/{lang.short}/{difficulty}/{key}",
        suite="agent",
        task_type=route,
        difficulty=difficulty,
        messages=user(instruction),
        checker={"kind": "agent", "grader": grader["kind"]},
        source=source.name,
        license=source.license,
        meta={
            "mode": mode,
            "language": lang.name,
            "files": dict(files),
            "hidden": dict(hidden or {}),
            "grader": dict(grader),
            "reference": dict(reference or {}),
        },
    )
