"""The package's import graph, read from the source with `ast` (nothing is imported).

Every `import` / `from ... import` statement counts, wherever it is: at module level, inside a
function (a lazy import is still a dependency), under `if TYPE_CHECKING:` (a type is still a
dependency of the design). `from a.b import c` depends on the module `a.b.c` when there is one,
else on `a.b`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Edge:
    importer: str  # module name, e.g. "benchroute.gateway.app"
    imported: str  # the module it depends on
    line: int
    names: tuple[str, ...] = ()  # for `from X import a, b` where X is the imported module

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} -> {self.imported}"


def module_names(src: Path, package: str) -> dict[str, Path]:
    """Module name -> file, for every .py file of `package` under `src` (a package is its
    `__init__.py`)."""
    out: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _base(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts.pop()
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, *([node.module] if node.module else [])])


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _edges_of(module: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Edge]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name, modules)
                if target is not None:
                    yield Edge(module, target, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, node, is_package)
            plain: list[str] = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    yield Edge(module, sub, node.lineno)
                else:
                    plain.append(alias.name)
            target = _known(base, modules)
            if plain and target is not None:
                yield Edge(module, target, node.lineno, tuple(plain))


def import_edges(src: Path, package: str) -> list[Edge]:
    """Every import of a module of `package` by a module of `package` (self-imports left out)."""
    modules = module_names(src, package)
    return [
        edge
        for module, path in modules.items()
        for edge in _edges_of(module, path, modules)
        if edge.imported != edge.importer
    ]


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    nodes = sorted(set(graph) | {n for targets in graph.values() for n in targets})
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return out
