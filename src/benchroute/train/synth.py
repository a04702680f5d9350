"""Generated requests from templates over real code (HumanEvalPack functions in six languages).

For task types no public dataset labels (edit, refactor, tests, docs, review, plan) and to give
debug/explain realistic variety beyond HumanEvalPack's fixed instructions. Each template family has
18 phrasings: 12 for the fit split, 3 for calibration, 3 for the held-out split, so the
reported accuracy is on wordings the model never saw (and calibration is fitted on unseen
wordings too). Examples of one HumanEval problem (all languages)
share a group, so code never crosses the split either.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Sequence
from typing import Any

from benchroute.train.examples import Example, split_of

LANG_NAME = {"python": "Python", "js": "JavaScript", "java": "Java", "go": "Go", "cpp": "C++", "rust": "Rust"}
TEST_FRAMEWORK = {
    "python": "pytest",
    "js": "jest",
    "java": "JUnit",
    "go": "go test",
    "cpp": "GoogleTest",
    "rust": "cargo test",
}
EXT = {"python": "py", "js": "js", "java": "java", "go": "go", "cpp": "cpp", "rust": "rs"}

PHRASES: dict[str, tuple[str, ...]] = {
    "edit": (
        "rename `{name}` to `{new}` in this function",
        "Change the name of {name} to {new} and update the callers",
        "can you rename the function {name} -> {new}",
        "In {file}, rename {name} to {new}.",
        "please change `{name}` so it's called `{new}` instead",
        "Make the `{param}` parameter of {name} optional with a sensible default",
        "add type annotations to {name}, nothing else",
        "Change {name} to return early when the input is empty.",
        "swap the loop variable name in {name} to something clearer, keep everything else",
        "add a log line at the start of {name} that prints its arguments",
        "tiny change: make {name} raise ValueError instead of returning None on bad input",
        "Update {file}: {name} should be renamed to {new}",
        "change the timeout in {name} from 30 to 60 seconds",
        "{name}: use `{new}` as the name, and rename its usages",
        "Just flip the default of `{param}` in {name} to false",
        "replace the print statements in {name} with logger calls",
        "could you make {name} accept a list as well as a single item? small change",
        "Update the error message in {name} to include the bad value",
    ),
    "refactor": (
        "Refactor {name} to be more readable without changing behaviour",
        "extract the inner logic of {name} into a helper function",
        "can you clean up this code? it works but it's messy",
        "Restructure {name}: split it into smaller functions, same behaviour",
        "refactor this to remove the duplication",
        "Rewrite {name} in a more idiomatic {lang} style, behaviour must not change",
        "simplify {name}; keep the tests passing",
        "Move {name} out of {file} into its own module and update imports",
        "reduce the nesting in this function",
        "Please refactor {name} to use early returns",
        "make this code cleaner and more maintainable",
        "turn {name} into a small class with the same public behaviour",
        "this function is too long, break {name} up",
        "Replace the nested ifs in {name} with a lookup table, same behaviour",
        "deduplicate the logic shared between {name} and its callers",
        "Convert {name} to use composition instead of inheritance",
        "tidy up {file}: better names, smaller functions, no behaviour change",
        "refactor {name} so it's easier to test",
    ),
    "tests": (
        "Write {framework} unit tests for {name}",
        "add tests for this function, cover the edge cases",
        "Can you write a test suite for `{name}`?",
        "generate {framework} tests for {file}",
        "write unit tests that check {name} handles empty input and large values",
        "We have no tests for {name}. Add some.",
        "Please add test cases for {name} including the failure modes",
        "create a test file for {name} using {framework}",
        "increase test coverage for {file}",
        "write property-based tests for {name}",
        "add a regression test for {name}",
        "I need {framework} tests for this code",
        "cover {name} with tests before I change it",
        "Write integration tests for {file}",
        "add a failing test that reproduces the bug in {name}",
        "what test cases should {name} have? write them",
        "Please write a table-driven test for {name}",
        "mock the network in the tests for {name}",
    ),
    "docs": (
        "Add docstrings to {name}",
        "document this function: parameters, return value, an example",
        "write a README section explaining how to use {name}",
        "Add comments explaining what each part of {name} does",
        "Can you write documentation for {file}?",
        "write a docstring for `{name}` in the project's style",
        "Add API docs for {name}",
        "explain {name} in a doc comment above the function",
        "Write a commit message for this change",
        "update the docs to describe {name}",
        "please add inline comments to this code for new contributors",
        "Generate reference documentation for {name}",
        "write the changelog entry for {name}",
        "Document the public API of {file} in markdown",
        "add a usage example to the docstring of {name}",
        "the README is out of date, update the section about {name}",
        "Write type and parameter docs for {name}",
        "summarise this change as a PR description",
    ),
    "review": (
        "Review this diff",
        "can you review my change to {name}?",
        "Please do a code review of this PR",
        "Is this change safe to merge? Review it.",
        "review the following patch for bugs and style issues",
        "Give me feedback on this diff before I push",
        "code review please",
        "What do you think of this change? Anything I missed?",
        "Review {file} changes",
        "look over this pull request and point out problems",
        "LGTM? review this",
        "please review the diff below",
        "anything wrong with this patch?",
        "Please check this diff for security problems",
        "second pair of eyes on this change?",
        "review: does this diff handle the edge cases?",
        "Can you review the changes I made to {name}",
        "critique this patch",
    ),
    "debug": (
        "{name} gives the wrong result. Find and fix the bug.",
        "This is broken, fix it:",
        "I get this error when running {name}, what's wrong?",
        "why does {name} fail this test? fix it",
        "Fix the bug in {file}",
        "{name} returns the wrong answer for some inputs, can you debug it?",
        "help, this crashes:",
        "the tests for {name} are failing, please fix the code",
        "something is off with {name}, find the bug",
        "Debug this function",
        "getting an exception from {name}, here is the trace",
        "fix this:",
        "{name} hangs forever on some inputs, why?",
        "Why am I getting this error?",
        "this used to work and now {name} is broken",
        "find out why {name} returns None sometimes",
        "The build fails with this output, help me fix it",
        "{name} throws on empty input, fix it",
    ),
    "explain": (
        "What does this function do?",
        "Explain {name} to me",
        "can you walk me through how this code works?",
        "Explain line by line what {name} does",
        "What is the purpose of {name} in {file}?",
        "how does this work?",
        "I don't understand this code, explain please",
        "Describe the algorithm {name} uses and its complexity",
        "what's the time complexity of {name}?",
        "Why does {name} use this approach?",
        "explain this {lang} code",
        "what would {name} return for an empty input, and why?",
        "walk me through {file}",
        "What is this code doing exactly?",
        "eli5 this function",
        "how is {name} supposed to be used?",
        "Can you explain the trick in {name}?",
        "what does each line here mean?",
    ),
}

PLAN_PHRASES: tuple[str, ...] = (
    "Plan a migration from {a} to {b} for our {system}",
    "design the architecture for a {system} using {b}",
    "We want to move our {system} from {a} to {b}. Write a step-by-step plan.",
    "How should I structure a {system} built with {b}?",
    "break down the work to add {feature} to our {system} into tasks",
    "what's the best approach to introduce {feature} in a {system} currently on {a}?",
    "Propose a high-level design for {feature} in our {system}",
    "outline an implementation plan for {feature}; don't write code yet",
    "compare {a} and {b} for our {system} and recommend one with a rollout plan",
    "I need a roadmap to replace {a} with {b} without downtime",
    "Think through the architecture before we code: {feature} for the {system}",
    "write a design doc for adding {feature} to the {system}",
    "how would you architect {feature} for a {system}?",
    "Before touching code, lay out the steps to switch from {a} to {b}",
    "Give me a phased plan for {feature}, with risks",
    "We're on {a}. Should we move to {b}? Plan it out.",
    "Sketch the components and data flow for {feature} in our {system}",
    "plan the rollout of {feature} across the {system}",
)
TECH_PAIRS: tuple[tuple[str, str], ...] = (
    ("MySQL", "PostgreSQL"),
    ("REST", "GraphQL"),
    ("a monolith", "microservices"),
    ("Flask", "FastAPI"),
    ("Python 2", "Python 3"),
    ("Webpack", "Vite"),
    ("Redux", "Zustand"),
    ("Jenkins", "GitHub Actions"),
    ("Heroku", "Kubernetes"),
    ("MongoDB", "PostgreSQL"),
    ("JavaScript", "TypeScript"),
    ("Angular", "React"),
    ("cron jobs", "a task queue"),
    ("SQLite", "PostgreSQL"),
    ("Java 8", "Java 21"),
    ("Django templates", "a React SPA"),
    ("RabbitMQ", "Kafka"),
    ("EC2 VMs", "serverless functions"),
    ("unittest", "pytest"),
    ("Express", "NestJS"),
)
SYSTEMS: tuple[str, ...] = (
    "billing service",
    "e-commerce backend",
    "mobile app API",
    "internal admin dashboard",
    "data pipeline",
    "chat application",
    "CI system",
    "authentication service",
    "analytics platform",
    "CLI tool",
    "multi-tenant SaaS",
    "recommendation service",
    "notification system",
    "document editor",
    "game server",
)
FEATURES: tuple[str, ...] = (
    "rate limiting",
    "single sign-on",
    "offline support",
    "audit logging",
    "multi-region failover",
    "a plugin system",
    "full-text search",
    "usage-based billing",
    "role-based access control",
    "real-time collaboration",
    "feature flags",
    "a caching layer",
    "webhooks",
    "data export",
    "i18n",
)

# Things a request names when it gives no code (the agent will read the files itself).
TARGETS: tuple[str, ...] = (
    "the payment module",
    "the user service",
    "parser.py",
    "the auth middleware",
    "utils.ts",
    "the CLI entry point",
    "the OrderRepository class",
    "api/handlers.go",
    "the config loader",
    "the checkout flow",
    "src/lib.rs",
    "the settings page component",
    "the database layer",
    "the retry helper",
    "main.py",
    "the report generator",
)

ERRORS = (
    ("IndexError", "list index out of range"),
    ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'"),
    ("KeyError", "'{name}'"),
    ("ValueError", "invalid literal for int() with base 10: ''"),
    ("AttributeError", "'NoneType' object has no attribute 'append'"),
    ("ZeroDivisionError", "division by zero"),
    ("RecursionError", "maximum recursion depth exceeded"),
)


def phrase_split(index: int) -> str:
    """Which split may use the phrasing at `index`: 1 in 6 test, 1 in 6 calib, the rest fit."""
    return {5: "test", 4: "calib"}.get(index % 6, "fit")


def _phrasings(task: str, split: str) -> Sequence[str]:
    phrases = PLAN_PHRASES if task == "plan" else PHRASES[task]
    return [p for i, p in enumerate(phrases) if phrase_split(i) == split]


def _new_name(name: str, rng: random.Random) -> str:
    prefixes = ("compute_", "get_", "calc_", "find_", "do_", "check_")
    words: list[str] = re.findall(r"[A-Za-z][a-z0-9]*", name) or [name]
    style = rng.random()
    base = "_".join(w.lower() for w in words)
    if style < 0.4:
        return rng.choice(prefixes) + base
    if style < 0.7:
        camel: str = words[0].lower() + "".join(w.capitalize() for w in words[1:])
        return camel + "Impl"
    return base + "_v2"


def traceback_text(row: dict[str, Any], rng: random.Random) -> str:
    name = row["entry_point"]
    exc, msg = rng.choice(ERRORS)
    line = rng.randint(3, 40)
    lang = row["language"]
    if lang == "python":
        return (
            "Traceback (most recent call last):\n"
            f'  File "main.py", line {line + 20}, in <module>\n    print({name}(data))\n'
            f'  File "solution.py", line {line}, in {name}\n'
            f"{exc}: {msg.format(name=name)}"
        )
    if lang == "js":
        return (
            f"TypeError: Cannot read properties of undefined (reading 'length')\n"
            f"    at {name} (/app/src/solution.js:{line}:17)\n    at Object.<anonymous> (/app/test.js:5:3)"
        )
    if lang == "java":
        return (
            'Exception in thread "main" java.lang.ArrayIndexOutOfBoundsException: Index 5 out of bounds\n'
            f"\tat Solution.{name}(Solution.java:{line})\n\tat Main.main(Main.java:9)"
        )
    if lang == "rust":
        return (
            f"thread 'main' panicked at src/lib.rs:{line}:9:\n"
            "index out of bounds: the len is 3 but the index is 3"
        )
    if lang == "go":
        return (
            "panic: runtime error: index out of range [3] with length 3\n\n"
            f"goroutine 1 [running]:\nmain.{name}(...)\n\t/app/main.go:{line}"
        )
    return f"Segmentation fault (core dumped)\nsolution.cpp:{line}: in {name}"


def _code(row: dict[str, Any], buggy: bool = False) -> str:
    body = row["buggy_solution"] if buggy else row["canonical_solution"]
    return f"{row['declaration']}{body}".strip("\n")


def _fence(code: str, lang: str) -> str:
    return f"```{lang}\n{code}\n```"


def _diff(row: dict[str, Any], file: str, rng: random.Random) -> str:
    before, after = _code(row, buggy=True), _code(row)
    if rng.random() < 0.5:
        before, after = after, before
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"a/{file}", f"b/{file}", lineterm="", n=2
    )
    header: str = f"diff --git a/{file} b/{file}\n"
    return header + "\n".join(lines)


def _render(task: str, row: dict[str, Any], phrase: str, rng: random.Random) -> str:
    lang = row["language"]
    name = row["entry_point"]
    file = f"src/{name}.{EXT[lang]}"
    bare = task != "review" and rng.random() < 0.4  # an instruction alone, no code pasted
    if bare and rng.random() < 0.6:
        name = rng.choice(TARGETS)
    params = re.findall(r"\((\w+)", row.get("signature") or "") or ["value"]
    instruction = phrase.format(
        name=name,
        new=_new_name(row["entry_point"], rng),
        file=file,
        lang=LANG_NAME[lang],
        framework=TEST_FRAMEWORK[lang],
        param=params[0],
    )
    if bare:
        return instruction
    if task == "review" or (task == "docs" and "commit message" in phrase):
        body = _fence(_diff(row, file, rng), "diff")
    elif task == "debug":
        body = _fence(_code(row, buggy=True), lang)
        if rng.random() < 0.5:
            body += "\n\n" + _fence(traceback_text(row, rng), "")
        elif rng.random() < 0.5 and row.get("example_test"):
            body += "\n\nFailing test:\n" + _fence(row["example_test"].strip()[:600], lang)
    else:
        body = _fence(_code(row), lang)
    if rng.random() < 0.5:
        return f"{instruction}\n\n{body}"
    return f"{body}\n\n{instruction}"


# Composed requests: a verb phrase x an object x a place. Objects are split like phrasings (1 in 6
# test-only, 1 in 6 calibration-only), so held-out composed requests name things never seen in training.
COMPOSED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "edit": (
        ("change", "update", "bump", "tweak", "set", "adjust", "swap", "rename"),
        (
            "the default port to 8080",
            "the log level to debug",
            "the button label to 'Save'",
            "MAX_RETRIES to 5",
            "the date format to ISO 8601",
            "the API base URL",
            "the error text",
            "the cache TTL to 10 minutes",
            "the variable `tmp` to `buffer`",
            "the page size to 50",
            "the import of `requests` to `httpx`",
            "the version string to 2.1.0",
            "the color of the header",
            "the field name `userName` to `username`",
            "the timeout constant",
            "the CSS class name",
            "the env var name to APP_SECRET",
            "the window title",
        ),
    ),
    "docs": (
        (
            "document",
            "write docs for",
            "add docstrings to",
            "write a README for",
            "describe in the docs",
            "add comments to",
            "write usage notes for",
            "write a changelog entry for",
        ),
        (
            "the config options",
            "the public API",
            "the CLI flags",
            "the data model",
            "the retry helper",
            "the plugin interface",
            "the deploy script",
            "the new endpoint",
            "the auth flow",
            "the environment variables",
            "the error codes",
            "the Makefile targets",
            "the SDK client",
            "the migration steps",
            "the event schema",
            "the caching behaviour",
            "the build setup",
            "the webhook payloads",
        ),
    ),
    "refactor": (
        (
            "refactor",
            "restructure",
            "clean up",
            "untangle",
            "simplify",
            "reorganise",
            "decouple",
            "modularise",
        ),
        (
            "the request handlers",
            "the database access code",
            "the god class in models",
            "the settings loading",
            "the duplicated validation logic",
            "the giant switch statement",
            "the callback pyramid",
            "the utils module",
            "the test fixtures",
            "the state management",
            "the error handling",
            "the parsing code",
            "the service layer",
            "the legacy payment code",
            "the event dispatch",
            "the file upload path",
            "the report builder",
            "the routing table",
        ),
    ),
}
PLACES = ("", " in {file}", " in {target}", " across the codebase", " (keep behaviour the same)", " please")


def composed_examples(rows: Sequence[dict[str, Any]], seed: int = 0) -> list[Example]:
    out: list[Example] = []
    for row in rows[::3]:
        group = f"humaneval/{row['task_id'].split('/')[-1]}"
        split = split_of(group, seed)
        for task, (verbs, objects) in COMPOSED.items():
            rng = random.Random(f"{seed}:{row['task_id']}:composed:{task}")
            obj = rng.choice([o for i, o in enumerate(objects) if phrase_split(i) == split])
            place = rng.choice(PLACES).format(
                file=f"src/{row['entry_point']}.{EXT[row['language']]}", target=rng.choice(TARGETS)
            )
            text = f"{rng.choice(verbs)} {obj}{place}"
            text = text[0].upper() + text[1:] if rng.random() < 0.5 else text
            out.append(Example(text, task, None, f"template/{task}-composed", group, kind="template"))
    return out


def code_examples(rows: Sequence[dict[str, Any]], seed: int = 0) -> list[Example]:
    """One generated request per (HumanEvalPack row, task type), phrasings split by held-out status."""
    out: list[Example] = []
    for row in rows:
        number = row["task_id"].split("/")[-1]
        group = f"humaneval/{number}"
        split = split_of(group, seed)
        for task in PHRASES:
            rng = random.Random(f"{seed}:{row['task_id']}:{task}")
            phrase = rng.choice(_phrasings(task, split))
            text = _render(task, row, phrase, rng)
            out.append(Example(text, task, None, f"template/{task}", group, kind="template"))
        # HumanEvalPack's own templated instructions: synthesize -> implement, fix -> debug.
        out.append(
            Example(
                row["instruction"],
                "implement",
                None,
                "humanevalpack/synthesize",
                group,
                "templated-benchmark",
            )
        )
    return out


def plan_examples(n: int, seed: int = 0) -> list[Example]:
    out = []
    for i in range(n):
        rng = random.Random(f"{seed}:plan:{i}")
        a, b = rng.choice(TECH_PAIRS)
        system = rng.choice(SYSTEMS)
        feature = rng.choice(FEATURES)
        group = f"plan/{system}/{a}"
        phrase = rng.choice(_phrasings("plan", split_of(group, seed)))
        text = phrase.format(a=a, b=b, system=system, feature=feature)
        if rng.random() < 0.4:
            extra = rng.choice(
                (
                    f"\n\nContext: the {system} has about {rng.randint(2, 40)}k lines of code"
                    f" and a team of {rng.randint(2, 9)}.",
                    "\n\nConstraints: no downtime, keep the public API stable.",
                    f"\n\nWe currently use {a}; list risks and milestones.",
                    "\n\nDon't write code yet, just the plan.",
                )
            )
            text += extra
        out.append(Example(text, "plan", None, "template/plan", group, kind="template"))
    return out
