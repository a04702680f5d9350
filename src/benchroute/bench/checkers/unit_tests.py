"""`unit_tests`: run the task's tests against the model's code in the sandbox.

Spec: `{"kind": "unit_tests", "language": "python"|"js"|"cpp"|"rust"|"java", "tests": "…",
"entry_point": "name", "prompt": "…" (optional: prepended when the answer is only a body),
"prelude": "…" (optional: imports/includes put before the code)}`. `tests` must exit non-zero
on failure (Python `assert`, C++ `assert`, a Rust `#[test]` module, JS `console.assert`, which
the harness turns into a hard failure).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass, replace

from benchroute.bench.checkers.base import CheckResult, spec_str
from benchroute.bench.extract import extract_code
from benchroute.bench.sandbox import Limits, Sandbox, SandboxResult
from benchroute.bench.tasks import Task

RUN_LIMITS = Limits(cpu_seconds=10, wall_seconds=20.0, memory_bytes=1024 * 1024 * 1024)
COMPILE_LIMITS = Limits(cpu_seconds=60, wall_seconds=90.0, memory_bytes=None, processes=256)

_JS_PRELUDE = (
    "console.assert = (cond, ...msg) => {\n"
    "  if (!cond) { process.stderr.write('Assertion failed: ' + msg.join(' ') + '\\n'); process.exit(1); }\n"
    "};\n"
)


@dataclass(frozen=True, slots=True)
class Program:
    language: str
    code: str  # the model's code (already extracted)
    tests: str
    prelude: str = ""


def _python_source(p: Program) -> str:
    return f"{p.prelude}\n{p.code}\n\n{p.tests}\n"


def _js_source(p: Program) -> str:
    return f"{_JS_PRELUDE}{p.prelude}\n{p.code}\n\n{p.tests}\n"


def _cpp_source(p: Program) -> str:
    # the tests bring their own main(); a model's demo main would clash with it
    code = re.sub(r"\bint\s+main\s*\(", "int benchroute_unused_main(", p.code)
    return f"{p.prelude}\n{code}\n\n{p.tests}\n"


def _rust_source(p: Program) -> str:
    # a `use` both in the prelude and in the answer is a compile error (E0252) in Rust
    present = {line.strip() for line in p.code.splitlines()}
    prelude = "\n".join(line for line in p.prelude.splitlines() if line.strip() not in present)
    return f"#![allow(unused, dead_code, deprecated)]\n{prelude}\n{p.code}\n\n{p.tests}\n"


def _java_source(p: Program) -> str:
    # the tests are `public class Main`, so the file is Main.java: no other public top-level class
    code = re.sub(r"\bpublic\s+(final\s+)?class\s+Solution\b", r"\1class Solution", p.code)
    code = re.sub(r"\bpublic\s+class\s+Main\b", "class BenchrouteUnusedMain", code)
    return f"{p.prelude}\n{code}\n\n{p.tests}\n"


def available_languages() -> frozenset[str]:
    """Languages whose toolchain is installed on this machine."""
    found = {"python"}
    if shutil.which("node"):
        found.add("js")
    if shutil.which("g++"):
        found.add("cpp")
    if shutil.which("rustc"):
        found.add("rust")
    if shutil.which("javac") and shutil.which("java"):
        found.add("java")
    return frozenset(found)


async def run_program(program: Program, limits: Limits = RUN_LIMITS) -> SandboxResult:
    """Build (when compiled) and run one program in a fresh sandbox."""
    async with Sandbox() as box:
        if program.language == "python":
            box.write("main.py", _python_source(program))
            return await box.run([sys.executable, "-I", "main.py"], limits)
        if program.language == "js":
            node = shutil.which("node") or "node"
            box.write("main.js", _js_source(program))
            # V8 reserves far more address space than it uses: cap its heap instead of RLIMIT_AS
            js_limits = Limits(
                cpu_seconds=limits.cpu_seconds,
                wall_seconds=limits.wall_seconds,
                memory_bytes=None,
                processes=limits.processes,
            )
            return await box.run([node, "--max-old-space-size=512", "main.js"], js_limits)
        if program.language == "cpp":
            box.write("main.cpp", _cpp_source(program))
            gxx = shutil.which("g++") or "g++"
            built = await box.run([gxx, "-std=c++17", "-O1", "-w", "-o", "main", "main.cpp"], COMPILE_LIMITS)
            if not built.ok:
                return _compile_failure(built)
            return await box.run(["./main"], limits)
        if program.language == "rust":
            box.write("main.rs", _rust_source(program))
            rustc = shutil.which("rustc") or "rustc"
            # rustup's shim lives under root's home: compile unprivileged-but-isolated, run as nobody
            compile_limits = Limits(
                cpu_seconds=COMPILE_LIMITS.cpu_seconds,
                wall_seconds=COMPILE_LIMITS.wall_seconds,
                memory_bytes=None,
                processes=COMPILE_LIMITS.processes,
                drop_privileges=False,
            )
            built = await box.run(
                [rustc, "--edition", "2021", "--test", "-C", "opt-level=1", "-o", "main", "main.rs"],
                compile_limits,
                env={"HOME": _real_home(), "RUSTUP_HOME": _rustup_home(), "CARGO_HOME": _cargo_home()},
            )
            if not built.ok:
                return _compile_failure(built)
            return await box.run(["./main", "--test-threads=1"], limits)
        if program.language == "java":
            box.write("Main.java", _java_source(program))
            javac, java = shutil.which("javac") or "javac", shutil.which("java") or "java"
            jvm_flags = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData"]
            built = await box.run(
                [javac, *(f"-J{f}" for f in jvm_flags), "-nowarn", "-d", ".", "Main.java"], COMPILE_LIMITS
            )
            if not built.ok:
                return _compile_failure(built)
            # the JVM maps far more than it uses and runs a dozen threads: cap its heap instead
            java_limits = replace(limits, memory_bytes=None, processes=max(limits.processes, 256))
            return await box.run([java, *jvm_flags, "-Xmx256m", "-cp", ".", "Main"], java_limits)
    raise ValueError(f"unsupported language {program.language!r}")


def _real_home() -> str:
    return os.environ.get("HOME", "/root")


def _rustup_home() -> str:
    return os.environ.get("RUSTUP_HOME", os.path.join(_real_home(), ".rustup"))


def _cargo_home() -> str:
    return os.environ.get("CARGO_HOME", os.path.join(_real_home(), ".cargo"))


def _compile_failure(built: SandboxResult) -> SandboxResult:
    # describe() shows the last lines of stderr: put the first error and what failed there
    lines = built.stderr.splitlines()
    first = next((ln for ln in lines if ln.startswith("error") or ": error:" in ln), "")
    stderr = "\n".join([*lines, first, "(compile error)"])
    return replace(built, stderr=stderr, returncode=built.returncode or 1)


def assemble_code(task: Task, answer: str) -> str:
    """The model's code, with the task's prompt (signature) prepended when only a body came back."""
    spec = task.checker
    language = spec_str(spec, "language", "python")
    code = extract_code(answer, language)
    entry = spec_str(spec, "entry_point")
    prompt = spec_str(spec, "prompt")
    if prompt and entry and not _defines(code, entry, language):
        code = prompt + code
    return code


def _defines(code: str, name: str, language: str) -> bool:
    patterns = {
        "python": rf"^\s*(?:async\s+)?def\s+{re.escape(name)}\s*\(",
        "js": rf"(?:function\s+{re.escape(name)}\b|\b(?:const|let|var)\s+{re.escape(name)}\s*=)",
        "rust": rf"\bfn\s+{re.escape(name)}\b",
        "cpp": rf"\b{re.escape(name)}\s*\([^;]*\)\s*\{{",
        "java": rf"\b{re.escape(name)}\s*\([^;]*\)\s*(?:throws [\w., ]+)?\{{",
    }
    pattern = patterns.get(language, rf"\b{re.escape(name)}\b")
    return re.search(pattern, code, re.M) is not None


class UnitTestChecker:
    kind = "unit_tests"

    def __init__(self, limits: Limits = RUN_LIMITS) -> None:
        self.limits = limits

    async def check(self, task: Task, answer: str) -> CheckResult:
        spec = task.checker
        language = spec_str(spec, "language", "python")
        if language not in available_languages():
            return CheckResult.fail(self.kind, f"no {language} toolchain on this machine")
        code = assemble_code(task, answer)
        if not code.strip():
            return CheckResult.fail(self.kind, "no code in the answer")
        program = Program(language, code, spec_str(spec, "tests"), spec_str(spec, "prelude"))
        result = await run_program(program, self.limits)
        if result.ok:
            return CheckResult.ok(self.kind)
        return CheckResult.fail(self.kind, result.describe())
