"""`edits` (edit): exact renames generated on HumanEval's reference modules, checked by AST and tests.

By problem number modulo 3: rename a local variable (easy), rename a parameter (medium), or rename
the function, plus one of its names when it has any (hard; medium without). The checker accepts only
the module with exactly these renames.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from benchroute.bench.checkers.ast_check import _Renamer
from benchroute.bench.tasks import Task

from .common import fenced, task_number
from .humaneval import HUMANEVAL, check_tests, entry_def, humaneval_rows, module_of

SOURCE = HUMANEVAL.derived("")

NEW_NAMES: Mapping[str, str] = MappingProxyType(
    {"i": "index", "j": "inner", "n": "count", "s": "text", "x": "value", "l": "items", "k": "key"}
)


def local_names(fn: ast.FunctionDef, tree: ast.Module) -> list[str]:
    """Names bound inside `fn` (parameters first) used nowhere else in the module."""
    inside: list[str] = [a.arg for a in fn.args.args]
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in inside:
            inside.append(node.id)
    outside: set[str] = set()
    for node in tree.body:
        if node is not fn:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name):
                    outside.add(sub.id)
                elif isinstance(sub, ast.arg):
                    outside.add(sub.arg)
                elif isinstance(sub, ast.FunctionDef):
                    outside.add(sub.name)
    attrs = {s.attr for s in ast.walk(tree) if isinstance(s, ast.Attribute)}
    return [n for n in inside if n not in outside and n not in attrs and n != "_"]


def rename(code: str, renames: dict[str, str]) -> str:
    """`code` with the names renamed, as the `ast` checker's `rename_of` computes it."""
    return ast.unparse(_Renamer(renames).visit(ast.parse(code)))


def new_name(old: str, taken: set[str]) -> str:
    """A descriptive replacement for `old` that clashes with no name in `taken`."""
    name = NEW_NAMES.get(old, f"{old}_value")
    while name in taken:
        name += "_2"
    return name


@dataclass(frozen=True)
class _Edit:
    what: str
    renames: dict[str, str]
    new_entry: str
    difficulty: str


def _choose_edit(n: int, entry: str, tree: ast.Module, fn: ast.FunctionDef) -> _Edit:
    names = local_names(fn, tree)
    params = [a.arg for a in fn.args.args if a.arg in names]
    locals_ = [x for x in names if x not in params]
    taken = {x.id for x in ast.walk(tree) if isinstance(x, ast.Name)} | {entry}
    variant = n % 3
    if variant == 0 and locals_:
        old = locals_[0]
        renames = {old: new_name(old, taken)}
        what = f"Rename the local variable `{old}` in `{entry}` to `{renames[old]}`."
        return _Edit(what, renames, entry, "easy")
    if variant == 1 and params:
        old = params[0]
        renames = {old: new_name(old, taken)}
        what = f"Rename the parameter `{old}` of `{entry}` to `{renames[old]}` (everywhere it is used)."
        return _Edit(what, renames, entry, "medium")
    new_entry = f"compute_{entry}"
    renames = {entry: new_entry}
    what = f"Rename the function `{entry}` to `{new_entry}`, including any calls to it."
    if locals_ or params:
        old = (locals_ or params)[0]
        renames[old] = new_name(old, taken)
        what += f" Also rename `{old}` inside it to `{renames[old]}`."
    return _Edit(what, renames, new_entry, "hard" if len(renames) > 1 else "medium")


def _edit(row: dict[str, Any]) -> Task | None:
    n = int(task_number(row))
    entry = row["entry_point"]
    module = module_of(row)
    tree = ast.parse(module)
    fn = entry_def(tree, entry)
    if fn is None:
        return None
    edit = _choose_edit(n, entry, tree, fn)
    return SOURCE.task(
        id=f"edit/{n}",
        suite="edits",
        task_type="edit",
        difficulty=edit.difficulty,
        prompt=(
            f"{edit.what} Change nothing else. Reply with the whole edited module in one ```python "
            f"block.\n\n{fenced('python', module)}"
        ),
        checker={
            "kind": "ast",
            "language": "python",
            "require_functions": [edit.new_entry],
            "forbid_names": sorted(edit.renames),
            "rename_of": {"original": module, "renames": edit.renames},
            "tests": check_tests(row, edit.new_entry),
        },
        reference=fenced("python", rename(module, edit.renames)),
    )


def edit_tasks(data: Path) -> list[Task]:
    """`edits`: one rename per HumanEval problem that defines its entry point at top level."""
    return [task for row in humaneval_rows(data) if (task := _edit(row)) is not None]
