"""`refactor` (refactor): refactorings generated on HumanEval's reference modules, checked by AST and tests.

Even-numbered problems whose function has plain parameters: move the logic into a helper and call
it. The others, in the task style of github.com/Aider-AI/refactor-benchmark (Apache-2.0) on a small
scale: the function is given as a method of a `Solution` class and must become a top-level function
again (one difficulty step harder).
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from benchroute.bench.tasks import Task

from .common import code_difficulty, fenced, task_number
from .humaneval import HUMANEVAL, check_tests, entry_def, humaneval_rows, module_of

SOURCE = HUMANEVAL.derived("; task style of Aider-AI/refactor-benchmark")


@dataclass(frozen=True)
class _Refactoring:
    instruction: str
    given: str
    reference: str
    checker: dict[str, Any]


def _simple_args(fn: ast.FunctionDef) -> list[str] | None:
    a = fn.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        return None
    return [x.arg for x in a.args]


def _extract_helper(module: str, entry: str, args: list[str], tests: str) -> _Refactoring:
    """Move the body of `entry` into `_<entry>_impl` and have `entry` return its result."""
    helper = f"_{entry}_impl"
    impl = ast.parse(module)
    impl_fn = entry_def(impl, entry)
    assert impl_fn is not None
    impl_fn.name = helper
    wrapper = f"def {entry}({', '.join(args)}):\n    return {helper}({', '.join(args)})\n"
    return _Refactoring(
        instruction=(
            f"Refactor this module: move the logic of `{entry}` into a new top-level helper function "
            f"named `{helper}`, and make `{entry}` call it and return its result. Behaviour must not "
            "change. Reply with the whole module in one ```python block."
        ),
        given=module,
        reference=ast.unparse(impl) + "\n\n\n" + wrapper,
        checker={
            "kind": "ast",
            "language": "python",
            "require_functions": [entry, helper],
            "require_calls": {entry: [helper]},
            "tests": tests,
        },
    )


def _as_method_module(module: str) -> str:
    """The module's functions as methods of `class Solution` (calls between them through `self.`)."""
    indented = textwrap.indent(module, "    ")
    method_tree = ast.parse(f"class Solution:\n{indented}")
    cls = method_tree.body[0]
    assert isinstance(cls, ast.ClassDef)
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            node.args.args.insert(0, ast.arg("self"))
            node.decorator_list = []
    for call in ast.walk(cls):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            if any(isinstance(x, ast.FunctionDef) and x.name == call.func.id for x in cls.body):
                call.func = ast.Attribute(ast.Name("self", ast.Load()), call.func.id, ast.Load())
    imports = [x for x in cls.body if isinstance(x, ast.Import | ast.ImportFrom)]
    cls.body = [x for x in cls.body if not isinstance(x, ast.Import | ast.ImportFrom)] or [ast.Pass()]
    method_module = ast.Module(body=[*imports, cls], type_ignores=[])
    return ast.unparse(ast.fix_missing_locations(method_module))


def _method_to_function(module: str, entry: str, tests: str) -> _Refactoring:
    """Turn the `entry` method of `Solution` back into the original top-level function."""
    return _Refactoring(
        instruction=(
            f"Refactor the `{entry}` method in the `Solution` class to be a stand alone, top level "
            f"function. Name the new function `{entry}`, exactly the same name as the existing method, "
            "and drop its `self` parameter; update any `self.` calls to work with the new functions. "
            "Reply with the whole module in one ```python block."
        ),
        given=_as_method_module(module),
        reference=module,
        checker={"kind": "ast", "language": "python", "require_functions": [entry], "tests": tests},
    )


_HARDER: Mapping[str, str] = MappingProxyType({"easy": "medium", "medium": "hard", "hard": "hard"})


def _refactor(row: dict[str, Any]) -> Task | None:
    n = int(task_number(row))
    entry = row["entry_point"]
    module = module_of(row)
    fn = entry_def(ast.parse(module), entry)
    if fn is None:
        return None
    args = _simple_args(fn)
    tests = check_tests(row, entry)
    difficulty = code_difficulty(row["canonical_solution"])
    if n % 2 == 0 and args is not None:
        refactoring = _extract_helper(module, entry, args, tests)
    else:
        refactoring = _method_to_function(module, entry, tests)
        difficulty = _HARDER[difficulty]
    return SOURCE.task(
        id=f"refactor/{n}",
        suite="refactor",
        task_type="refactor",
        difficulty=difficulty,
        prompt=f"{refactoring.instruction}\n\n{fenced('python', refactoring.given)}",
        checker=refactoring.checker,
        reference=fenced("python", refactoring.reference),
    )


def refactor_tasks(data: Path) -> list[Task]:
    """`refactor`: one refactoring per HumanEval problem that defines its entry point at top level."""
    return [task for row in humaneval_rows(data) if (task := _refactor(row)) is not None]
