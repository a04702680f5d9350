"""`ast`: syntax-tree checks for edits, renames, refactors and docstrings (Python).

Spec keys (all optional, combined with AND):
- `require_functions`: top-level functions that must exist;
- `forbid_names`: identifiers that must no longer appear (an old name after a rename);
- `require_calls`: `{"f": ["g"]}`: the body of `f` calls `g`;
- `require_docstrings`: every function and class has a docstring;
- `rename_of`: `{"original": code, "renames": {"old": "new"}}`: the answer's functions are the
  original ones with exactly these renames (docstrings and comments aside);
- `tests` + `entry_point`: afterwards the code must still pass these Python tests (sandboxed).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TypeVar

from benchroute.bench.checkers.base import CheckResult, spec_str
from benchroute.bench.checkers.unit_tests import RUN_LIMITS, Program, run_program
from benchroute.bench.extract import extract_code
from benchroute.bench.sandbox import Limits
from benchroute.bench.tasks import Task

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_Tree = TypeVar("_Tree", bound=ast.AST)


class _Renamer(ast.NodeTransformer):
    def __init__(self, renames: Mapping[str, str]) -> None:
        self.renames = renames

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.renames.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.renames.get(node.arg, node.arg)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.name = self.renames.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_keyword(self, node: ast.keyword) -> ast.keyword:
        if node.arg is not None:
            node.arg = self.renames.get(node.arg, node.arg)
        self.generic_visit(node)
        return node


def _strip_docstrings(tree: _Tree) -> _Tree:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    node.body = body[1:] or [ast.Pass()]
    return tree


def _functions(tree: ast.Module) -> dict[str, FunctionNode]:
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _names(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


def _calls(node: ast.AST) -> set[str]:
    called: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Name):
                called.add(sub.func.id)
            elif isinstance(sub.func, ast.Attribute):
                called.add(sub.func.attr)
    return called


def rename_mismatch(code_tree: ast.Module, original: str, renames: Mapping[str, str]) -> str | None:
    """None when every original function, renamed, appears unchanged in `code_tree`."""
    want = _Renamer(renames).visit(_strip_docstrings(ast.parse(original)))
    got_functions = _functions(_strip_docstrings(code_tree))
    for name, fn in _functions(want).items():
        other = got_functions.get(name)
        if other is None:
            return f"function {name!r} missing after the rename"
        if ast.dump(other, annotate_fields=False) != ast.dump(fn, annotate_fields=False):
            return f"function {name!r} differs from the original beyond the requested rename"
    return None


def _str_list(spec: Mapping[str, object], key: str) -> list[str]:
    value = spec.get(key) or []
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def structural_problems(tree: ast.Module, spec: Mapping[str, object]) -> list[str]:
    problems: list[str] = []
    functions = _functions(tree)
    for name in _str_list(spec, "require_functions"):
        if name not in functions:
            problems.append(f"no top-level function {name!r}")
    names = _names(tree)
    for name in _str_list(spec, "forbid_names"):
        if name in names:
            problems.append(f"name {name!r} still present")
    calls = spec.get("require_calls") or {}
    if isinstance(calls, Mapping):
        for caller, callees in calls.items():
            fn = functions.get(caller)
            if fn is None:
                problems.append(f"no top-level function {caller!r}")
                continue
            missing = [c for c in callees if c not in _calls(fn)]
            if missing:
                problems.append(f"{caller!r} does not call {', '.join(missing)}")
    if spec.get("require_docstrings"):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if not ast.get_docstring(node):
                    problems.append(f"{node.name!r} has no docstring")
    return problems


class AstChecker:
    kind = "ast"

    def __init__(self, limits: Limits = RUN_LIMITS) -> None:
        self.limits = limits

    async def check(self, task: Task, answer: str) -> CheckResult:
        spec = task.checker
        if spec_str(spec, "language", "python") != "python":
            return CheckResult.fail(self.kind, "ast checks support Python only")
        code = extract_code(answer, "python")
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            return CheckResult.fail(self.kind, f"syntax error: {exc.msg} (line {exc.lineno})")
        problems = structural_problems(tree, spec)
        rename = spec.get("rename_of")
        if isinstance(rename, Mapping) and not problems:
            mismatch = rename_mismatch(
                tree, str(rename.get("original", "")), dict(rename.get("renames") or {})
            )
            if mismatch:
                problems.append(mismatch)
        if problems:
            return CheckResult.fail(self.kind, "; ".join(problems)[:500])
        tests = spec_str(spec, "tests")
        if tests:
            result = await run_program(Program("python", code, tests, spec_str(spec, "prelude")), self.limits)
            if not result.ok:
                return CheckResult.fail(self.kind, "tree ok, but tests fail: " + result.describe())
        return CheckResult.ok(self.kind)
