"""Steps every suite shares: reading a source file, normalising prompts and difficulties, making tasks."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import Any

from benchroute.bench.tasks import Task

LANG_NAMES: Mapping[str, str] = MappingProxyType(
    {"python": "Python", "js": "JavaScript", "cpp": "C++", "rust": "Rust", "java": "Java"}
)
FENCE: Mapping[str, str] = MappingProxyType(
    {"python": "python", "js": "javascript", "cpp": "cpp", "rust": "rust", "java": "java"}
)

Builder = Callable[[Path], list[Task]]
"""Builds one suite from the data directory (`../shared/data`)."""


# ---- reading -----------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The non-blank lines of a JSON Lines file, gzipped when its name ends in `.gz`."""
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a CSV file with a header line; fields may be very large (whole model responses)."""
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def take(tasks: Iterable[Task], limit: int) -> list[Task]:
    """The first `limit` tasks; the rest of the source is not read."""
    return list(islice(tasks, limit))


def task_number(row: Mapping[str, Any]) -> str:
    """The number in a HumanEval-style task id (`HumanEval/12`, `Python/12` -> `12`)."""
    return str(row["task_id"]).split("/")[1]


# ---- normalising -------------------------------------------------------------------------------


def user(text: str) -> tuple[dict[str, str], ...]:
    """A one-message conversation: the prompt as the user's turn."""
    return ({"role": "user", "content": text},)


def fenced(language: str, code: str) -> str:
    """`code` in a Markdown code block tagged for `language`."""
    return f"```{FENCE.get(language, language)}\n{code.rstrip()}\n```"


def by_count(count: int, easy_max: int, medium_max: int) -> str:
    """easy up to `easy_max`, medium up to `medium_max`, hard above."""
    return "easy" if count <= easy_max else "medium" if count <= medium_max else "hard"


def code_difficulty(solution: str) -> str:
    """easy / medium / hard by the number of non-blank lines in the reference solution."""
    return by_count(len([ln for ln in solution.splitlines() if ln.strip()]), 4, 10)


def by_tercile(values: Sequence[float]) -> Callable[[float], str]:
    """easy / medium / hard by the data's own thirds, for sets with no difficulty labels."""
    ordered = sorted(values)
    low, high = ordered[len(ordered) // 3], ordered[2 * len(ordered) // 3]
    return lambda v: "easy" if v < low else "medium" if v < high else "hard"


# ---- making tasks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A public data set tasks are built from: its name and license, recorded on every task."""

    name: str
    license: str

    def derived(self, note: str) -> Source:
        """The attribution of tasks generated from this source rather than taken from it."""
        return Source(f"generated from {self.name}{note}", self.license)

    def task(
        self,
        *,
        id: str,
        suite: str,
        task_type: str,
        difficulty: str,
        prompt: str,
        checker: dict[str, Any],
        reference: str | None = None,
        extra_meta: Mapping[str, Any] | None = None,
    ) -> Task:
        """A one-turn task attributed to this source; `reference` is a passing answer, kept in `meta`."""
        meta: dict[str, Any] = {} if reference is None else {"reference": reference, **(extra_meta or {})}
        return Task(
            id=id,
            suite=suite,
            task_type=task_type,
            difficulty=difficulty,
            messages=user(prompt),
            checker=checker,
            source=self.name,
            license=self.license,
            meta=meta,
        )
