"""HumanEvalPack (github.com/bigcode-project/octopack, MIT): HumanEval in six languages, with bugs.

Read from `humanevalpack_octopack/humanevalpack_<language>.jsonl`. Each row has a declaration, a
canonical and a buggy solution, the tests and the problem's docstring. The suites built on it live in
`hep_code` (synthesize, fix), `hep_explain` and `hep_bugs` (tests, review); this module reads the rows
and turns a row's declaration and tests into what a checker for its language needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import Source, read_jsonl

HEPACK = Source("bigcode-project/octopack HumanEvalPack", "MIT")

_RUST_CRATES = re.compile(r"^\s*use\s+(rand|regex|md5)\b.*$", re.M)


def hepack_rows(data: Path, language: str) -> Iterator[dict[str, Any]]:
    """The problems in one language; Rust problems that need crates a bare rustc lacks are left out."""
    for row in read_jsonl(data / "humanevalpack_octopack" / f"humanevalpack_{language}.jsonl"):
        if language == "rust" and re.search(r"rand::|Regex|md5|Rng", row["canonical_solution"] + row["test"]):
            continue  # needs crates a bare rustc does not have
        yield row


def prelude(language: str, declaration: str) -> str:
    """The declaration's includes / imports / uses, which the checker puts ahead of the answer."""
    if language == "cpp":
        return (
            "\n".join(ln for ln in declaration.splitlines() if ln.startswith(("#include", "using "))) + "\n"
        )
    if language == "java":
        return "\n".join(ln for ln in declaration.splitlines() if ln.startswith("import ")) + "\n"
    if language == "rust":
        uses = [ln for ln in declaration.splitlines() if ln.startswith("use ")]
        return "\n".join(ln for ln in uses if not _RUST_CRATES.match(ln)) + "\n"
    return ""


def clean_declaration(language: str, declaration: str) -> str:
    """The declaration shown in prompts: no leading blank lines, no `use` of unavailable Rust crates."""
    if language == "rust":
        return _RUST_CRATES.sub("", declaration).strip("\n") + "\n"
    return declaration.lstrip("\n")


def row_tests(language: str, row: dict[str, Any]) -> str:
    """The row's tests as the unit-test checker runs them."""
    test: str = row["test"]
    if language == "python":
        return test if re.search(rf"^check\({row['entry_point']}\)", test, re.M) else test + "\n"
    return test
