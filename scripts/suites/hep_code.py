"""HumanEvalPack code suites, scored by the problems' unit tests in each language.

- `humanevalpack_synthesize` (implement): write the function from its instruction and declaration,
  in JavaScript, C++, Rust and Java (Python is the `humaneval` suite).
- `humanevalpack_fix` (debug): fix the buggy solution, given the failing tests, in all five languages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task

from .common import FENCE, LANG_NAMES, code_difficulty, fenced, task_number
from .humanevalpack import HEPACK, clean_declaration, hepack_rows, prelude, row_tests


def _unit_tests(language: str, row: dict[str, Any], declaration: str, tests: str) -> dict[str, Any]:
    return {
        "kind": "unit_tests",
        "language": language,
        "tests": tests,
        "entry_point": row["entry_point"],
        "prompt": declaration,
        "prelude": prelude(language, row["declaration"]),
    }


def _synthesize(language: str, row: dict[str, Any]) -> Task:
    decl = clean_declaration(language, row["declaration"])
    std = " Use only the standard library." if language == "rust" else ""
    return HEPACK.task(
        id=f"hep-synth/{language}/{task_number(row)}",
        suite="humanevalpack_synthesize",
        task_type="implement",
        difficulty=code_difficulty(row["canonical_solution"]),
        prompt=(
            f"{row['instruction']}\n\nStart from this declaration and reply with the complete "
            f"code in one ```{FENCE[language]} block, without a main function.{std}\n\n"
            f"{fenced(language, decl)}"
        ),
        checker=_unit_tests(language, row, decl, row_tests(language, row)),
        reference=fenced(language, decl + row["canonical_solution"]),
    )


def _fix(language: str, row: dict[str, Any]) -> Task:
    decl = clean_declaration(language, row["declaration"])
    tests = row_tests(language, row)
    return HEPACK.task(
        id=f"hep-fix/{language}/{task_number(row)}",
        suite="humanevalpack_fix",
        task_type="debug",
        difficulty=code_difficulty(row["canonical_solution"]),
        prompt=(
            f"This {LANG_NAMES[language]} function `{row['entry_point']}` has a bug, and these "
            "tests fail. Fix the bug and reply with the complete corrected function in one "
            f"```{FENCE[language]} block.\n\n{fenced(language, decl + row['buggy_solution'])}\n\n"
            f"Tests:\n{fenced(language, tests)}"
        ),
        checker=_unit_tests(language, row, decl, tests),
        reference=fenced(language, decl + row["canonical_solution"]),
        extra_meta={"bug_type": row.get("bug_type", "")},
    )


def hepack_synthesize(data: Path) -> list[Task]:
    """`humanevalpack_synthesize`: implement from the instruction, in js, cpp, rust and java."""
    languages = ("js", "cpp", "rust", "java")
    return [_synthesize(lang, row) for lang in languages for row in hepack_rows(data, lang)]


def hepack_fix(data: Path) -> list[Task]:
    """`humanevalpack_fix`: fix the bug the failing tests show, in python, js, cpp, rust and java."""
    languages = ("python", "js", "cpp", "rust", "java")
    return [_fix(lang, row) for lang in languages for row in hepack_rows(data, lang)]
