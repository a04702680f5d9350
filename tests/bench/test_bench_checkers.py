"""Each checker kind, against right and wrong answers, with the real sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from benchroute.bench.checkers import default_checkers, run_check
from benchroute.bench.checkers.ast_check import AstChecker
from benchroute.bench.checkers.base import CheckResult
from benchroute.bench.checkers.bug_catch import BugCatchChecker
from benchroute.bench.checkers.exact import ExactChecker
from benchroute.bench.checkers.json_schema import JsonSchemaChecker
from benchroute.bench.checkers.judge import JudgeChecker
from benchroute.bench.checkers.regex import RegexChecker
from benchroute.bench.checkers.unit_tests import UnitTestChecker, available_languages
from benchroute.bench.extract import extract_code, extract_json_text, final_letter, final_number
from benchroute.bench.tasks import Task
from benchroute.providers.base import ProviderError, Target
from benchroute.providers.fake import FakeProvider

TOOLCHAINS = {"js": "node", "cpp": "g++", "rust": "rustc", "java": "a JDK (javac and java)"}


def need_toolchain(language: str) -> None:
    """Fail, naming the missing tool: setup-dev.sh installs every toolchain these tests use."""
    if language not in available_languages():
        pytest.fail(f"{TOOLCHAINS[language]} is not installed: run scripts/setup.d/20-toolchains.sh")


def task(checker: dict[str, Any], task_type: str = "implement", prompt: str = "do it") -> Task:
    return Task(
        id="t/1",
        suite="unit",
        task_type=task_type,
        difficulty="easy",
        messages=({"role": "user", "content": prompt},),
        checker=checker,
        source="test",
        license="MIT",
    )


ADD_TESTS = (
    "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n\ncheck(add)\n"
)
ADD_SPEC = {
    "kind": "unit_tests",
    "language": "python",
    "tests": ADD_TESTS,
    "entry_point": "add",
    "prompt": "def add(a, b):\n",
}


# ---- extraction ------------------------------------------------------------------------------


def test_extract_code_prefers_the_tagged_fence() -> None:
    answer = "Here:\n```text\nnot code\n```\n```python\ndef f():\n    return 1\n```\nDone."
    assert extract_code(answer) == "def f():\n    return 1\n"


def test_extract_code_from_bare_answer_drops_leading_prose() -> None:
    answer = "Sure, here is the function:\ndef f(x):\n    return x + 1"
    assert extract_code(answer).startswith("def f(x):")


def test_extract_code_ignores_think_blocks() -> None:
    answer = "<think>```python\nwrong()\n```</think>```python\nright()\n```"
    assert extract_code(answer) == "right()\n"


def test_final_answer_helpers() -> None:
    assert final_number("so 3 + 4 = 7\n#### 1,234") == "1234"
    assert final_number("The answer is $18.00.") == "18"
    assert final_number("no digits") is None
    assert final_letter("I think (B) is wrong.\nAnswer: C") == "C"
    assert extract_json_text('Plan:\n```json\n{"a": [1, 2]}\n```') == '{"a": [1, 2]}'
    assert extract_json_text("no json here") is None


# ---- unit tests ------------------------------------------------------------------------------


async def test_unit_tests_pass_and_fail() -> None:
    checker = UnitTestChecker()
    good = await checker.check(task(ADD_SPEC), "```python\ndef add(a, b):\n    return a + b\n```")
    assert good == CheckResult(1.0, True, "", "unit_tests")
    bad = await checker.check(task(ADD_SPEC), "```python\ndef add(a, b):\n    return a - b\n```")
    assert not bad.passed and bad.score == 0.0
    assert "AssertionError" in bad.reason


async def test_unit_tests_accept_a_bare_body_by_prepending_the_prompt() -> None:
    result = await UnitTestChecker().check(task(ADD_SPEC), "    return a + b\n")
    assert result.passed, result.reason


async def test_unit_tests_score_an_infinite_loop_as_a_failure() -> None:
    from benchroute.bench.sandbox import Limits

    checker = UnitTestChecker(Limits(cpu_seconds=1, wall_seconds=3.0))
    result = await checker.check(task(ADD_SPEC), "def add(a, b):\n    while True:\n        pass\n")
    assert not result.passed
    assert "CPU" in result.reason or "timed out" in result.reason


async def test_unit_tests_javascript_console_assert_fails_hard() -> None:
    need_toolchain("js")
    spec = {
        "kind": "unit_tests",
        "language": "js",
        "tests": "console.assert(add(2, 3) === 5)\n",
        "entry_point": "add",
    }
    good = await UnitTestChecker().check(task(spec), "```js\nconst add = (a, b) => a + b\n```")
    bad = await UnitTestChecker().check(task(spec), "```javascript\nconst add = (a, b) => a * b\n```")
    assert good.passed, good.reason
    assert not bad.passed and "Assertion failed" in bad.reason


async def test_unit_tests_cpp_compiles_and_runs() -> None:
    need_toolchain("cpp")
    spec = {
        "kind": "unit_tests",
        "language": "cpp",
        "prelude": "#include<assert.h>\n",
        "tests": "int main(){ assert(add(2, 3) == 5); }\n",
        "entry_point": "add",
    }
    good = await UnitTestChecker().check(task(spec), "```cpp\nint add(int a, int b){ return a + b; }\n```")
    broken = await UnitTestChecker().check(task(spec), "```cpp\nint add(int a, int b){ return a + }\n```")
    assert good.passed, good.reason
    assert not broken.passed and "compile error" in broken.reason


async def test_unit_tests_rust_test_module() -> None:
    need_toolchain("rust")
    spec = {
        "kind": "unit_tests",
        "language": "rust",
        "tests": (
            "#[cfg(test)]\nmod tests {\n use super::*;\n #[test]\n fn t() { assert_eq!(add(2, 3), 5); }\n}\n"
        ),
        "entry_point": "add",
    }
    good = await UnitTestChecker().check(task(spec), "```rust\nfn add(a: i32, b: i32) -> i32 { a + b }\n```")
    bad = await UnitTestChecker().check(task(spec), "```rust\nfn add(a: i32, b: i32) -> i32 { a - b }\n```")
    assert good.passed, good.reason
    assert not bad.passed


# ---- exact, regex, json schema ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "answer", "passed"),
    [
        ({"normalize": "number", "answer": "18"}, "9 * 2 = 18\n#### 18", True),
        ({"normalize": "number", "answer": "18"}, "#### 17", False),
        ({"normalize": "letter", "answer": "B"}, "Because of X.\nAnswer: B", True),
        ({"normalize": "letter", "answer": "B"}, "Answer: D", False),
        ({"normalize": "literal", "tag": "ANSWER", "answer": "[1, 2]"}, "It sorts.\nANSWER: [1,2]", True),
        ({"normalize": "literal", "tag": "ANSWER", "answer": "0.5"}, "ANSWER: 0.5000000001", True),
        ({"normalize": "literal", "tag": "ANSWER", "answer": "True"}, "It returns true", False),
        ({"normalize": "text", "answer": "Paris"}, "The capital:\nparis", True),
    ],
)
async def test_exact(spec: dict[str, Any], answer: str, passed: bool) -> None:
    result = await ExactChecker().check(task({"kind": "exact", **spec}), answer)
    assert result.passed is passed, result.reason


async def test_regex_requires_all_patterns_and_no_forbidden_one() -> None:
    spec = {"kind": "regex", "pattern": r"LINE:\s*(?:4|5)\b", "forbid": [r"LINE:\s*7"]}
    assert (await RegexChecker().check(task(spec), "bug here\nLINE: 5")).passed
    assert not (await RegexChecker().check(task(spec), "LINE: 45")).passed
    assert not (await RegexChecker().check(task(spec), "LINE: 4\nLINE: 7")).passed


async def test_json_schema() -> None:
    schema = {
        "type": "object",
        "required": ["steps"],
        "properties": {"steps": {"type": "array", "minItems": 2}, "files": {"contains": {"const": "a.py"}}},
    }
    spec = {"kind": "json_schema", "schema": schema}
    ok = await JsonSchemaChecker().check(task(spec), '```json\n{"steps": [1, 2], "files": ["a.py"]}\n```')
    short = await JsonSchemaChecker().check(task(spec), '{"steps": [1], "files": ["a.py"]}')
    missing = await JsonSchemaChecker().check(task(spec), "I would first…")
    assert ok.passed, ok.reason
    assert not short.passed and "steps" in short.reason
    assert not missing.passed and "no JSON" in missing.reason


# ---- ast ---------------------------------------------------------------------------------------

ORIGINAL = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"
TOTAL_TESTS = "def check(candidate):\n    assert candidate([1, 2, 3]) == 6\n\ncheck(total)\n"


async def test_ast_rename_must_be_exactly_the_rename() -> None:
    spec = {
        "kind": "ast",
        "forbid_names": ["s"],
        "rename_of": {"original": ORIGINAL, "renames": {"s": "acc"}},
        "tests": TOTAL_TESTS,
    }
    renamed = ORIGINAL.replace("s = 0", "acc = 0").replace("s +=", "acc +=").replace("return s", "return acc")
    assert (await AstChecker().check(task(spec, "edit"), renamed)).passed
    partial = ORIGINAL.replace("s = 0", "acc = 0")
    assert "still present" in (await AstChecker().check(task(spec, "edit"), partial)).reason
    rewritten = "def total(xs):\n    acc = sum(xs)\n    return acc\n"
    result = await AstChecker().check(task(spec, "edit"), rewritten)
    assert not result.passed and "beyond the requested rename" in result.reason


async def test_ast_docstrings_and_required_calls_and_tests() -> None:
    spec = {
        "kind": "ast",
        "require_docstrings": True,
        "require_calls": {"total": ["_total_impl"]},
        "tests": TOTAL_TESTS,
    }
    good = (
        'def _total_impl(xs):\n    """Sum."""\n    return sum(xs)\n\n'
        'def total(xs):\n    """Sum xs."""\n    return _total_impl(xs)\n'
    )
    assert (await AstChecker().check(task(spec, "refactor"), good)).passed
    undocumented = good.replace('    """Sum."""\n', "")
    assert "no docstring" in (await AstChecker().check(task(spec, "refactor"), undocumented)).reason
    wrong = good.replace("return sum(xs)", "return 0")
    assert "tests fail" in (await AstChecker().check(task(spec, "refactor"), wrong)).reason
    assert "syntax error" in (await AstChecker().check(task(spec, "refactor"), "def (:")).reason


# ---- bug catch ---------------------------------------------------------------------------------


async def test_bug_catch_needs_tests_that_separate_correct_from_buggy() -> None:
    spec = {
        "kind": "bug_catch",
        "entry_point": "absolute",
        "correct": "def absolute(x):\n    return x if x >= 0 else -x\n",
        "buggy": "def absolute(x):\n    return x\n",
    }
    catching = "def check(candidate):\n    assert candidate(-2) == 2\n    assert candidate(3) == 3\n"
    weak = "def check(candidate):\n    assert candidate(3) == 3\n"
    wrong = "def check(candidate):\n    assert candidate(-2) == -2\n"
    pytest_style = "def test_negative():\n    assert absolute(-5) == 5\n"
    own_copy = "def absolute(x):\n    return abs(x)\n\ndef check(candidate):\n    assert absolute(-1) == 1\n"
    checker = BugCatchChecker()
    assert (await checker.check(task(spec, "tests"), catching)).passed
    assert "not caught" in (await checker.check(task(spec, "tests"), weak)).reason
    assert "fail on the correct" in (await checker.check(task(spec, "tests"), wrong)).reason
    assert (await checker.check(task(spec, "tests"), pytest_style)).passed
    # the answer's own copy of the function is replaced by the solution under test, so a test
    # that names the function directly still tests the buggy version (and catches it here)
    assert (await checker.check(task(spec, "tests"), own_copy)).passed


# ---- judge -------------------------------------------------------------------------------------


async def test_judge_grades_with_a_judge_model_and_says_so() -> None:
    provider = FakeProvider("judge", ["Solid answer.\nSCORE: 8", "Wrong.\nSCORE: 3", "no idea"])
    checker = JudgeChecker(provider, Target("judge-model", catalog_id="j/big"), "j/big")
    spec = {"kind": "judge", "reference": "use a heap"}
    high = await checker.check(task(spec), "answer one")
    low = await checker.check(task(spec), "answer two")
    none = await checker.check(task(spec), "answer three")
    assert (high.score, high.passed, high.checker) == (0.8, True, "judge:j/big")
    assert (low.score, low.passed) == (0.3, False)
    assert not none.passed and "no score" in none.reason
    judged_prompt = provider.requests[0][0].messages[0].text
    assert "answer one" in judged_prompt and "use a heap" in judged_prompt


async def test_judge_provider_failure_is_a_scored_failure() -> None:
    provider = FakeProvider("judge", [ProviderError("timeout", "slow upstream")])
    checker = JudgeChecker(provider, Target("m"), "j/m")
    result = await checker.check(task({"kind": "judge"}), "x")
    assert not result.passed and "timeout" in result.reason


# ---- run_check ---------------------------------------------------------------------------------


class Exploding:
    kind = "exact"

    async def check(self, task: Task, answer: str) -> CheckResult:
        raise RuntimeError("checker bug")


async def test_run_check_turns_a_crashing_checker_into_a_zero_score() -> None:
    result = await run_check({"exact": Exploding()}, task({"kind": "exact", "answer": "1"}), "1")
    assert (result.score, result.passed) == (0.0, False)
    assert "RuntimeError: checker bug" in result.reason
    missing = await run_check(default_checkers(), task({"kind": "judge"}), "x")
    assert not missing.passed and "no checker" in missing.reason


async def test_unit_tests_java_solution_class_against_a_main_class() -> None:
    need_toolchain("java")
    spec = {
        "kind": "unit_tests",
        "language": "java",
        "prelude": "import java.util.*;\n",
        "tests": (
            "public class Main {\n  public static void main(String[] a) {\n"
            "    if (new Solution().add(2, 3) != 5) { throw new AssertionError(); }\n  }\n}\n"
        ),
        "entry_point": "add",
    }
    good = "```java\npublic class Solution {\n  public int add(int a, int b) { return a + b; }\n}\n```"
    bad = good.replace("a + b", "a - b")
    assert (await UnitTestChecker().check(task(spec), good)).passed
    failed = await UnitTestChecker().check(task(spec), bad)
    assert not failed.passed and "AssertionError" in failed.reason
