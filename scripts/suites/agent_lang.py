"""Rendering small repositories for agent tasks in Python and JavaScript: modules built from
HumanEvalPack functions (correct, buggy or stubbed), and the hidden check scripts that grade them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, Any]

JS_ASSERT = "console.assert = (cond, ...msg) => { if (!cond) throw new Error('assertion failed ' + msg.join(' ')); };\n"  # noqa: E501


@dataclass(frozen=True)
class Case:
    """One hidden check: bind `entry` to `attr` of module `module` and run the row's tests."""

    module: str  # workspace path of the module
    attr: str
    entry: str
    tests: str


@dataclass(frozen=True)
class Lang:
    name: str  # "python" | "javascript"
    short: str  # "py" | "js"
    ext: str

    # ---- modules -----------------------------------------------------------------------------
    def function(self, row: Row, body: str) -> str:
        """The row's function with `body` ("canonical", "buggy" or "stub")."""
        prompt = row["prompt"]
        if self.name == "python":
            head = prompt[prompt.index("def ") if prompt.startswith("def ") else prompt.index("\ndef ") + 1 :]
            code = {"canonical": row["canonical_solution"], "buggy": row["buggy_solution"]}.get(
                body, "    raise NotImplementedError\n"
            )
            return head.rstrip("\n") + "\n" + code.rstrip() + "\n"
        code = {"canonical": row["canonical_solution"], "buggy": row["buggy_solution"]}.get(
            body, "  throw new Error('not implemented');\n}\n"
        )
        return prompt.strip("\n") + "\n" + code.rstrip() + "\n"

    def imports(self, row: Row) -> list[str]:
        if self.name != "python":
            return []
        prompt = row["prompt"]
        cut = 0 if prompt.startswith("def ") else prompt.index("\ndef ")
        return [ln for ln in prompt[:cut].splitlines() if ln.startswith(("import ", "from "))]

    def module(self, parts: Sequence[tuple[Row, str]], extra: str = "", requires: str = "") -> str:
        """A module of functions: (row, body) pairs, plus extra code (wrappers) after them."""
        funcs = "\n\n".join(self.function(row, body) for row, body in parts)
        if self.name == "python":
            imports = sorted({imp for row, _ in parts for imp in self.imports(row)})
            head = "\n".join([*imports, requires.strip()]).strip()
            return (
                (head + "\n\n\n" if head else "") + funcs + (("\n\n" + extra.strip() + "\n") if extra else "")
            )
        names = [row["entry_point"] for row, _ in parts] + re.findall(r"^const (\w+) =", extra, re.M)
        exports = "module.exports = { " + ", ".join(names) + " };\n"
        head = requires.strip() + "\n\n" if requires.strip() else ""
        return head + funcs + ("\n" + extra.strip() + "\n" if extra else "") + "\n" + exports

    def import_line(self, names: Sequence[str], module: str, importer: str) -> str:
        """How the module at path `importer` imports `names` from the module at path `module`."""
        if self.name == "python":
            return f"from {module.removesuffix('.py').replace('/', '.')} import {', '.join(names)}"
        rel = _relative(importer, module)
        return f"const {{ {', '.join(names)} }} = require('{rel}');"

    def wrapper(self, name: str, target: str) -> str:
        if self.name == "python":
            return f"def {name}(*args):\n    return {target}(*args)\n"
        return f"const {name} = (...args) => {target}(...args);\n"

    def defines(self, name: str) -> str:
        """A regex that finds a definition of `name` in a module's text."""
        if self.name == "python":
            return rf"(?m)^def {name}\("
        return rf"(?m)^(const {name} =|function {name}\()"

    # ---- hidden checks ---------------------------------------------------------------------
    def check_script(self, cases: Sequence[Case], absent: Sequence[tuple[str, str]] = ()) -> tuple[str, str]:
        """(path, text) of a script that exits 0 when every case passes and no `absent` regex matches."""
        data = json.dumps({"cases": [c.__dict__ for c in cases], "absent": list(absent)})
        if self.name == "python":
            return ".grade/check.py", _PY_CHECK.replace("@DATA@", repr(data))
        return ".grade/check.js", JS_ASSERT + _JS_CHECK.replace("@DATA@", data)

    def check_argv(self) -> list[str]:
        return ["python", ".grade/check.py"] if self.name == "python" else ["node", ".grade/check.js"]

    # ---- tests the agent writes ------------------------------------------------------------
    def test_path(self, entry: str, packaged: bool) -> str:
        if self.name == "python":
            return f"tests/test_{entry}.py" if packaged else f"test_{entry}.py"
        return f"test/{entry}.test.js"

    def test_argv(self) -> list[str]:
        if self.name == "python":
            return ["python", "-m", "unittest", "discover", "-p", "test_*.py"]
        return ["node", "--test"]

    def reference_test(self, row: Row, module: str, test_file: str) -> str:
        entry = row["entry_point"]
        if self.name == "python":
            return (
                f"import unittest\n\n{self.import_line([entry], module, test_file)}\n\nCODE = {row['test']!r}\n\n\n"  # noqa: E501
                f"class Test{entry.title().replace('_', '')}(unittest.TestCase):\n"
                f"    def test_{entry}(self) -> None:\n        exec(CODE, {{{entry!r}: {entry}}})\n"
            )
        return (
            "const { test } = require('node:test');\n"
            + JS_ASSERT
            + f"{self.import_line([entry], module, test_file)}\n\n"
            + f"test({entry!r}, () => {{\n{row['test']}\n}});\n"
        )


def _relative(importer: str, module: str) -> str:
    depth = importer.count("/")
    prefix = "./" if depth == 0 else "../" * depth
    return prefix + module.removesuffix(".js")


PY = Lang("python", "py", ".py")
JS = Lang("javascript", "js", ".js")

_PY_CHECK = """import importlib
import json
import os
import re
import sys

sys.path.insert(0, os.getcwd())
DATA = json.loads(@DATA@)
failed = []
for path, pattern in DATA["absent"]:
    if os.path.exists(path) and re.search(pattern, open(path, encoding="utf-8").read()):
        failed.append(f"{path} still matches {pattern}")
for case in DATA["cases"]:
    try:
        mod = importlib.import_module(case["module"][:-3].replace("/", "."))
        ns = dict(vars(mod))
        ns[case["entry"]] = getattr(mod, case["attr"])
        exec(case["tests"], ns)
    except BaseException as exc:  # noqa: BLE001
        failed.append(f"{case['module']}:{case['attr']}: {type(exc).__name__}: {exc}")
for line in failed:
    print(line)
sys.exit(1 if failed else 0)
"""

_JS_CHECK = """const fs = require('fs');
const path = require('path');
const DATA = @DATA@;
const failed = [];
for (const [file, pattern] of DATA.absent) {
  if (fs.existsSync(file) && new RegExp(pattern.replace('(?m)', ''),\
 'm').test(fs.readFileSync(file, 'utf8'))) {
    failed.push(file + ' still matches ' + pattern);
  }
}
for (const c of DATA.cases) {
  try {
    const mod = require(path.join(process.cwd(), c.module));
    if (typeof mod[c.attr] !== 'function') throw new Error(c.attr + ' is not exported');
    new Function(c.entry, c.tests)(mod[c.attr]);
  } catch (e) {
    failed.push(c.module + ':' + c.attr + ': ' + e.message);
  }
}
for (const line of failed) console.log(line);
process.exit(failed.length ? 1 : 0);
"""
