"""What users and tools paste: code, diffs, tracebacks, compiler errors, test runs, command output.

Code comes from HumanEvalPack (MIT; six languages, with a canonical and a buggy solution per
problem); the error and test-run shapes follow each toolchain's real output format.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

LANGS = ("python", "js", "java", "go", "cpp", "rust")
EXT = {"python": "py", "js": "js", "java": "java", "go": "go", "cpp": "cpp", "rust": "rs"}
FENCE = {"python": "python", "js": "javascript", "java": "java", "go": "go", "cpp": "cpp", "rust": "rust"}
LANG_NAME = {"python": "Python", "js": "JavaScript", "java": "Java", "go": "Go", "cpp": "C++", "rust": "Rust"}


def load_rows(data: Path) -> dict[str, list[dict[str, Any]]]:
    """HumanEvalPack rows per language."""
    out: dict[str, list[dict[str, Any]]] = {}
    for lang in LANGS:
        path = data / "humanevalpack_octopack" / f"humanevalpack_{lang}.jsonl"
        with path.open() as fh:
            out[lang] = [json.loads(line) for line in fh if line.strip()]
    return out


def code_of(row: dict[str, Any], buggy: bool = False) -> str:
    body = row["buggy_solution"] if buggy else row["canonical_solution"]
    return f"{row['declaration']}{body}".strip("\n")


def fence(code: str, lang: str) -> str:
    return f"```{FENCE.get(lang, lang)}\n{code}\n```"


def file_name(row: dict[str, Any], lang: str) -> str:
    name = str(row["entry_point"]).lower()
    return f"src/{name}.{EXT[lang]}"


def big_code(rows: list[dict[str, Any]], lang: str, chars: int, rng: random.Random) -> str:
    """Several real functions back to back, up to `chars` characters (a pasted file)."""
    parts: list[str] = []
    total = 0
    while total < chars:
        code = code_of(rng.choice(rows))
        parts.append(code)
        total += len(code) + 2
    return "\n\n".join(parts)[:chars]


def traceback(lang: str, row: dict[str, Any], rng: random.Random) -> str:
    fn = str(row["entry_point"])
    line = rng.randint(3, 80)
    if lang == "python":
        err = rng.choice(
            [
                "KeyError: 'amount'",
                "TypeError: 'NoneType' object is not subscriptable",
                "IndexError: list index out of range",
                "ValueError: invalid literal for int()",
            ]
        )
        return (
            f'Traceback (most recent call last):\n  File "app/main.py", line {line + 20}, in <module>\n'
            f'    result = {fn}(data)\n  File "app/{fn.lower()}.py", line {line}, in {fn}\n'
            f"    return items[idx]\n{err}"
        )
    if lang == "js":
        return (
            f"TypeError: Cannot read properties of undefined (reading 'length')\n"
            f"    at {fn} (/app/src/{fn}.js:{line}:17)\n    at Object.<anonymous> (/app/src/index.js:12:3)\n"
            "    at Module._compile (node:internal/modules/cjs/loader:1256:14)"
        )
    if lang == "java":
        return (
            f'Exception in thread "main" java.lang.NullPointerException: Cannot invoke "String.length()"\n'
            f"\tat com.example.Solution.{fn}(Solution.java:{line})\n\tat com.example.Main.main(Main.java:9)"
        )
    if lang == "go":
        return (
            f"panic: runtime error: index out of range [5] with length 5\n\ngoroutine 1 [running]:\n"
            f"main.{fn}(...)\n\t/app/{fn.lower()}.go:{line}\nmain.main()\n\t/app/main.go:14 +0x1d\n"
            "exit status 2"
        )
    if lang == "cpp":
        return (
            f"Program received signal SIGSEGV, Segmentation fault.\n0x0000555555555189 in {fn} "
            f"(v=std::vector of length 0) at solution.cpp:{line}\n#1 main () at main.cpp:22"
        )
    return (
        f"thread 'main' panicked at src/{fn.lower()}.rs:{line}:9:\n"
        "called `Option::unwrap()` on a `None` value\n"
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
    )


def compiler_error(lang: str, row: dict[str, Any], rng: random.Random) -> str:
    fn = str(row["entry_point"])
    line = rng.randint(3, 60)
    if lang == "rust":
        return (
            f"error[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable\n"
            f"  --> src/{fn.lower()}.rs:{line}:5\n   |\n{line} |     let first = &v[0];\n"
            "   |                  - immutable borrow occurs here\n"
            'error: could not compile `app` (bin "app") due to 1 previous error'
        )
    if lang == "go":
        return (
            f"# example.com/app\n./{fn.lower()}.go:{line}:2: undefined: {fn}Helper\n"
            "./main.go:9:7: too many arguments"
        )
    if lang == "java":
        return (
            f"[ERROR] /app/src/main/java/com/example/Solution.java:[{line},20] cannot find symbol\n"
            f"[ERROR]   symbol:   method {fn}(java.util.List<Integer>)\n[ERROR] BUILD FAILURE"
        )
    if lang == "cpp":
        return (
            f"solution.cpp:{line}:12: error: no matching function for call to '{fn}(int&)'\n"
            "compilation terminated.\nmake: *** [Makefile:12: all] Error 1"
        )
    if lang == "js":
        return (
            f"src/{fn}.ts:{line}:7 - error TS2322: Type 'string | undefined' is not assignable to type "
            "'string'.\n\nFound 1 error in src/index.ts:4"
        )
    return (
        f'  File "app/{fn.lower()}.py", line {line}\n    def {fn}(items\n              ^\n'
        "SyntaxError: '(' was never closed"
    )


def failing_tests(lang: str, row: dict[str, Any], rng: random.Random) -> str:
    fn = str(row["entry_point"])
    n_fail, n_pass = rng.randint(1, 4), rng.randint(3, 40)
    if lang == "python":
        return (
            f"============================= test session starts ==============================\n"
            f"collected {n_fail + n_pass} items\n\ntests/test_{fn.lower()}.py ..F.\n\n"
            f"=================================== FAILURES ===================================\n"
            f"____________________________ test_{fn.lower()}_empty ____________________________\n"
            f"    def test_{fn.lower()}_empty():\n>       assert {fn}([]) == 0\nE       assert None == 0\n"
            f"FAILED tests/test_{fn.lower()}.py::test_{fn.lower()}_empty - assert None == 0\n"
            f"========================= {n_fail} failed, {n_pass} passed in 0.84s ========================="
        )
    if lang == "js":
        return (
            f"FAIL src/{fn}.test.js\n  ● {fn} › handles empty input\n\n    expect(received).toBe(expected)\n"
            f"    Expected: 0\n    Received: undefined\n\nTests:       {n_fail} failed, {n_pass} passed, "
            f"{n_fail + n_pass} total"
        )
    if lang == "java":
        return (
            f"[ERROR] Tests run: {n_fail + n_pass}, Failures: {n_fail}, Errors: 0, Skipped: 0\n"
            f"[ERROR] SolutionTest.test{fn}:42 expected:<3> but was:<2>\n[ERROR] BUILD FAILURE"
        )
    if lang == "go":
        return (
            f"--- FAIL: Test{fn} (0.00s)\n    {fn.lower()}_test.go:21: got 2, want 3\nFAIL\n"
            "FAIL\texample.com/app\t0.004s"
        )
    if lang == "cpp":
        return (
            f"[ RUN      ] {fn}Test.Empty\nsolution_test.cpp:18: Failure\n"
            f"Expected equality of these values:\n"
            f"  {fn}(v)\n    Which is: 2\n  3\n[  FAILED  ] {fn}Test.Empty (0 ms)\n[  FAILED  ] {n_fail} test"
        )
    return (
        f"running {n_fail + n_pass} tests\ntest tests::{fn.lower()}_empty ... FAILED\n\nfailures:\n"
        f"---- tests::{fn.lower()}_empty stdout ----\nassertion `left == right` failed\n  left: 2\n"
        f" right: 3\n"
        f"test result: FAILED. {n_pass} passed; {n_fail} failed; 0 ignored"
    )


def passing_tests(lang: str, rng: random.Random) -> str:
    n = rng.randint(5, 120)
    return {
        "python": f"collected {n} items\n\n{'.' * min(n, 60)}\n\n"
        f"============ {n} passed in 1.92s ============",
        "js": f"Test Suites: 4 passed, 4 total\nTests:       {n} passed, {n} total",
        "java": f"[INFO] Tests run: {n}, Failures: 0, Errors: 0, Skipped: 0\n[INFO] BUILD SUCCESS",
        "go": "ok  \texample.com/app\t0.012s",
        "cpp": f"[==========] {n} tests ran.\n[  PASSED  ] {n} tests.",
        "rust": f"test result: ok. {n} passed; 0 failed; 0 ignored; 0 measured",
    }[lang]


def diff(row: dict[str, Any], lang: str, rng: random.Random) -> str:
    path = file_name(row, lang)
    old = str(row["buggy_solution"]).strip("\n").splitlines()[:12]
    new = str(row["canonical_solution"]).strip("\n").splitlines()[:12]
    lines = [
        f"diff --git a/{path} b/{path}",
        f"--- a/{path}",
        f"+++ b/{path}",
        f"@@ -{rng.randint(1, 90)},{len(old)} +{rng.randint(1, 90)},{len(new)} @@",
    ]
    lines += [f"-{x}" for x in old if x not in new] + [f"+{x}" for x in new if x not in old]
    lines += [f" {x}" for x in new if x in old][:4]
    return "\n".join(lines)


def file_read(row: dict[str, Any], lang: str) -> str:
    """A numbered file listing, the way agent read tools return it."""
    code = code_of(row)
    return "\n".join(f"{i + 1:>4} | {line}" for i, line in enumerate(code.splitlines()))


def command_output(rng: random.Random, ok: bool) -> str:
    if ok:
        return rng.choice(
            [
                "On branch main\nYour branch is up to date with 'origin/main'.\n"
                "nothing to commit, working tree clean",
                "added 212 packages, and audited 213 packages in 4s\nfound 0 vulnerabilities",
                "Successfully installed requests-2.32.3 urllib3-2.2.2\nexit code: 0",
                "CONTAINER ID   IMAGE         STATUS        PORTS\n"
                "3f2a9c1d   postgres:16   Up 2 hours    5432/tcp",
            ]
        )
    return rng.choice(
        [
            "bash: cargo: command not found\nexit code: 127",
            "ERROR: Could not find a version that satisfies the requirement torch==2.9.9\nexit code: 1",
            "Error response from daemon: driver failed programming external connectivity: port is "
            "already allocated",
            "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nexit code: 1",
            "fatal: refusing to merge unrelated histories\nexit code: 128",
        ]
    )


def log_lines(rng: random.Random, n: int) -> str:
    levels = ("INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG")
    msgs = (
        "request completed in 12ms",
        "cache miss for key user:42",
        "retrying connection to db (attempt 2)",
        "worker heartbeat ok",
        "connection reset by peer",
        "slow query: SELECT * FROM orders (2.3s)",
    )
    return "\n".join(
        f"2026-03-{rng.randint(1, 28):02d}T10:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z "
        f"{rng.choice(levels)} [svc] {rng.choice(msgs)}"
        for _ in range(n)
    )
