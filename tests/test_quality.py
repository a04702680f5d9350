"""The code base stays ruff- and mypy-clean and keeps its layers: the checks a reviewer would run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.imports import Edge, cycles, import_edges, module_names

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_clean() -> None:
    out = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# ---- the import contract ---------------------------------------------------------------------
# Layers, bottom first. A module may import from its own layer or below, never above; imports
# inside functions and under TYPE_CHECKING count (tests/support/imports.py reads them all).
# Within a layer, packages may import one another but never in a cycle; no module cycles at all.
LAYERS: tuple[frozenset[str], ...] = (
    # data and formats: the wire dialects, the settings, the catalog
    frozenset({"wire", "settings", "redisconn", "catalog", "quickinit"}),
    frozenset({"routing"}),  # pure: a request, settings and evidence in, a Decision out
    frozenset({"sessions"}),  # keys, state, rules, stores, the session service
    # I/O: upstreams, the database, shared limits and model health (and issue 20's savings.py)
    frozenset({"providers", "store", "limits", "savings"}),
    frozenset({"gateway"}),  # the HTTP server and the request pipeline
    # on top of the gateway: the app that joins it with what it serves beside the API (dashboard,
    # the live leaderboard in bench/), the leaderboard's data, and the tools
    frozenset({"app", "dashboard", "bench", "leaderboard", "cli", "evaluate", "train"}),
)
# `benchroute/__init__.py` is the public facade: it re-exports `Router` lazily (so it reaches up
# into routing), and the package may import only `__version__` from it.
FACADE = "benchroute"
FACADE_NAMES = frozenset({"__version__"})

# Known violations, (importer, imported) -> the issue-17 item that removes them. Delete an entry
# once its item has landed: the contract fails on an entry whose import is gone.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def _layer_of(module: str) -> int:
    top = module.split(".")[1]
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module}: package {top!r} is in no layer of the import contract")


def _edges() -> list[Edge]:
    return import_edges(ROOT / "src", "benchroute")


def _checked(edges: list[Edge]) -> list[Edge]:
    """The edges the contract judges: not the facade's own, not the known violations."""
    return [e for e in edges if e.importer != FACADE and (e.importer, e.imported) not in KNOWN_VIOLATIONS]


def test_every_package_is_in_a_layer() -> None:
    for module in module_names(ROOT / "src", "benchroute"):
        if module != FACADE:
            _layer_of(module)


def test_imports_go_downward() -> None:
    upward = [
        f"{e} (layer {_layer_of(e.importer)} imports layer {_layer_of(e.imported)})"
        for e in _checked(_edges())
        if e.imported != FACADE and _layer_of(e.importer) < _layer_of(e.imported)
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_only_the_version_is_imported_from_the_facade() -> None:
    bad = [f"{e} {e.names}" for e in _edges() if e.imported == FACADE and not set(e.names) <= FACADE_NAMES]
    assert not bad, "import these from their modules, not from `benchroute`:\n" + "\n".join(bad)


def test_no_import_cycles() -> None:
    modules: dict[str, set[str]] = {}
    packages: dict[str, set[str]] = {}
    for e in _checked(_edges()):
        if e.imported == FACADE:
            continue
        modules.setdefault(e.importer, set()).add(e.imported)
        a, b = e.importer.split(".")[1], e.imported.split(".")[1]
        if a != b:
            packages.setdefault(a, set()).add(b)
    assert not cycles(modules), f"module import cycles: {cycles(modules)}"
    assert not cycles(packages), f"package import cycles: {cycles(packages)}"


def test_known_violations_are_still_there() -> None:
    """An allow-list entry whose import is gone must go too (the contract then holds it)."""
    present = {(e.importer, e.imported) for e in _edges()}
    stale = [f"{a} -> {b}: {why}" for (a, b), why in KNOWN_VIOLATIONS.items() if (a, b) not in present]
    assert not stale, "delete these from KNOWN_VIOLATIONS:\n" + "\n".join(stale)


def test_the_contract_sees_lazy_and_type_only_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "low").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low" / "__init__.py").write_text("")
    (pkg / "low" / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.low import b\n"
    )
    (pkg / "low" / "b.py").write_text("def f():\n    from .a import x\n")
    found = {(e.importer, e.imported) for e in import_edges(tmp_path, "pkg")}
    assert found == {("pkg.low.a", "pkg.low.b"), ("pkg.low.b", "pkg.low.a")}
    assert cycles({"pkg.low.a": {"pkg.low.b"}, "pkg.low.b": {"pkg.low.a"}}) == [["pkg.low.a", "pkg.low.b"]]


# The routing core imports no web, HTTP-client or database library and no gateway module: on
# import, and (once the Router split has landed) while deciding a request.
_NOT_IN_ROUTING = ("starlette", "aiohttp", "sqlalchemy", "benchroute.gateway")
_PROBE = """
import sys
{body}
banned = {banned!r}
print(",".join(sorted(m for m in sys.modules if m in banned or m.startswith(tuple(p + "." for p in banned)))))
"""


def _imported_by(body: str) -> list[str]:
    code = _PROBE.format(body=body, banned=_NOT_IN_ROUTING)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_importing_the_router_imports_no_web_or_gateway_module() -> None:
    assert _imported_by("import benchroute.routing.router") == []


def test_deciding_with_the_router_imports_no_web_or_gateway_module() -> None:
    body = (
        "from benchroute.routing.router import Router\n"
        "from benchroute.settings import Settings\n"
        "router = Router.from_settings(Settings(), only_keyed=False)\n"
        "router.decide({'model': 'auto', 'messages': [{'role': 'user', 'content': 'Fix this bug.'}]})"
    )
    assert _imported_by(body) == []
