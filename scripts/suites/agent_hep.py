"""Agent tasks built from HumanEvalPack functions: implement (stubs), debug (the dataset's bugs),
refactor (rename / move across modules), tests (catch the dataset's bugs), explain (exact answers).

Difficulty is structural, stated in docs/bench.md: easy = one file, the function named; medium = a
package of four modules, the function named but not its file (or a symptom only); hard = a package
of five to six modules and three functions spread over it, not named (the agent has to find them,
reproduce bugs from the documentation alone, or move code across modules and fix every import).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from benchroute.bench.tasks import Task

from .agent_lang import JS, PY, Case, Lang, Row
from .agent_repo import HEPACK_AGENT, Repo, agent_task, layout, module_path
from .common import read_jsonl

Builder = Callable[[Lang, str, Sequence[Row], random.Random, int], Task | None]
BROKEN = frozenset({"JavaScript/114"})  # its tests name a variable the canonical solution does not define
TARGETS = {"easy": 1, "medium": 1, "hard": 3}
DISTRACTORS = {"easy": 0, "medium": 7, "hard": 9}


def hep_rows(data: Path, lang: Lang) -> list[Row]:
    """Problems whose prompt defines exactly one function and whose bug changes the code."""
    name = "python" if lang.name == "python" else "js"
    pattern = r"^def " if lang.name == "python" else r"^(const \w+ = |function )"
    rows = [
        row
        for row in read_jsonl(data / "humanevalpack_octopack" / f"humanevalpack_{name}.jsonl")
        if len(re.findall(pattern, row["prompt"], re.M)) == 1
        and row["buggy_solution"] != row["canonical_solution"]
        and "require(" not in row["prompt"] + row["canonical_solution"]  # npm packages are not installed
        and row["task_id"] not in BROKEN
    ]
    unique = {row["entry_point"]: row for row in reversed(rows)}  # two problems share a name (`solve`)
    return [row for row in rows if unique[row["entry_point"]] is row]


def _pick(rows: Sequence[Row], rng: random.Random, difficulty: str) -> tuple[list[Row], list[Row]]:
    chosen = rng.sample(list(rows), TARGETS[difficulty] + DISTRACTORS[difficulty])
    return chosen[: TARGETS[difficulty]], chosen[TARGETS[difficulty] :]


def _cases(repo: Repo, rows: Sequence[Row]) -> list[Case]:
    return [Case(repo.where[r["entry_point"]], r["entry_point"], r["entry_point"], r["test"]) for r in rows]


def _names(rows: Sequence[Row]) -> str:
    names = [f"`{r['entry_point']}`" for r in rows]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _checked(lang: Lang, cases: Sequence[Case], absent: Sequence[tuple[str, str]] = ()) -> dict[str, object]:
    path, text = lang.check_script(cases, absent)
    return {"hidden": {path: text}, "grader": {"kind": "tests", "argv": lang.check_argv()}}


def implement(lang: Lang, difficulty: str, rows: Sequence[Row], rng: random.Random, i: int) -> Task:
    targets, others = _pick(rows, rng, difficulty)
    repo = layout(lang, difficulty, [(r, "stub") for r in targets], rng, others)
    where = repo.where[targets[0]["entry_point"]]
    instruction = {
        "easy": f"Implement `{targets[0]['entry_point']}` in `{where}`: it is a stub. Its comment describes what it must do.",  # noqa: E501
        "medium": f"`{targets[0]['entry_point']}` is not implemented yet (it is a stub somewhere in this "
        "repository). Implement it as its documentation describes.",
        "hard": "Some functions in this repository are unimplemented stubs (they fail with 'not implemented'). "  # noqa: E501
        "Find every one of them and implement it as its documentation describes; leave the other functions alone.",  # noqa: E501
    }[difficulty]
    check = _checked(lang, _cases(repo, [*targets, *others]))
    good = repo.render({r["entry_point"]: "canonical" for r in targets})
    changed = {p: t for p, t in good.items() if repo.render().get(p) != t}
    return agent_task(
        source=HEPACK_AGENT,
        route="implement",
        difficulty=difficulty,
        lang=lang,
        key=_key(targets),
        mode="code",
        instruction=instruction,
        files=repo.render(),
        hidden=check["hidden"],  # type: ignore[arg-type]
        grader=check["grader"],
        reference={"files": changed},  # type: ignore[arg-type]
    )


def debug(lang: Lang, difficulty: str, rows: Sequence[Row], rng: random.Random, i: int) -> Task:
    targets, others = _pick(rows, rng, difficulty)
    repo = layout(lang, difficulty, [(r, "buggy") for r in targets], rng, others)
    entry = targets[0]["entry_point"]
    where = repo.where[entry]
    if difficulty == "easy":
        test_file = lang.test_path(entry, False)
        repo.files[test_file] = lang.reference_test(targets[0], where, test_file)
        run = f"python -m unittest {test_file[:-3]}" if lang.name == "python" else "node --test"
        instruction = f"The test in `{test_file}` fails (run it with `{run}`): `{entry}` in `{where}` has a bug. Fix the function, not the test."  # noqa: E501
    elif difficulty == "medium":
        instruction = (
            f"`{entry}` gives wrong results for some inputs. Find the bug and fix it; keep its signature."
        )
    else:
        instruction = (
            "Users report that some functions in this repository return wrong results, but nobody has narrowed "  # noqa: E501
            "it down and there are no tests. Reproduce the problems against each function's documented "
            "behaviour, find the bugs and fix them. Do not change functions that already behave as documented."  # noqa: E501
        )
    check = _checked(lang, _cases(repo, [*targets, *others]))
    good = repo.render({r["entry_point"]: "canonical" for r in targets})
    changed = {p: t for p, t in good.items() if repo.render().get(p) != t}
    return agent_task(
        source=HEPACK_AGENT,
        route="debug",
        difficulty=difficulty,
        lang=lang,
        key=_key(targets),
        mode="debug",
        instruction=instruction,
        files=repo.render(),
        hidden=check["hidden"],  # type: ignore[arg-type]
        grader=check["grader"],
        reference={"files": changed},  # type: ignore[arg-type]
    )


def tests(lang: Lang, difficulty: str, rows: Sequence[Row], rng: random.Random, i: int) -> Task:
    targets, others = _pick(rows, rng, difficulty)
    repo = layout(lang, difficulty, [(r, "canonical") for r in targets], rng, others)
    packaged = difficulty != "easy"
    argv = lang.test_argv()
    where = repo.where[targets[0]["entry_point"]]
    if difficulty == "easy":
        place = f"a new file `{lang.test_path(targets[0]['entry_point'], False)}`"
        what = f"`{targets[0]['entry_point']}` in `{where}`"
    else:
        place = (
            "new `test_*.py` files in the `tests/` package (unittest)"
            if lang.name == "python"
            else "new files under `test/` named `*.test.js` (node:test)"
        )
        if lang.name == "python":
            repo.files["tests/__init__.py"] = ""
        what = _names(targets) + " (somewhere in this repository)"
    instruction = (
        f"Write tests for {what} in {place}. They are run with `{' '.join(argv)}`: they must pass on the "
        "current code and fail if the documented behaviour is broken. Do not change the code under test."
    )
    mutants = [{repo.where[r["entry_point"]]: _render_one(repo, r, "buggy")} for r in targets]
    reference = {
        lang.test_path(r["entry_point"], packaged): lang.reference_test(
            r, repo.where[r["entry_point"]], lang.test_path(r["entry_point"], packaged)
        )
        for r in targets
    }
    return agent_task(
        source=HEPACK_AGENT,
        route="tests",
        difficulty=difficulty,
        lang=lang,
        key=_key(targets),
        mode="code",
        instruction=instruction,
        files=repo.render(),
        grader={"kind": "mutation", "argv": argv, "mutants": mutants},
        reference={"files": reference},
    )


def _render_one(repo: Repo, row: Row, body: str) -> str:
    return repo.render({row["entry_point"]: body})[repo.where[row["entry_point"]]]


def _key(rows: Sequence[Row]) -> str:
    return "+".join(str(r["task_id"]).split("/")[1] for r in rows)


def explain(lang: Lang, difficulty: str, rows: Sequence[Row], rng: random.Random, i: int) -> Task | None:
    targets, others = _pick(rows, rng, "medium" if difficulty == "medium" else difficulty)
    bodies = "buggy" if difficulty == "hard" else "canonical"
    if difficulty == "hard":
        targets, others = targets[:1], [*targets[1:], *others]
    repo = layout(lang, difficulty, [(r, bodies) for r in targets], rng, others)
    entry = targets[0]["entry_point"]
    answer_rule = "End your reply with a line `ANSWER: <answer>`."
    if difficulty == "easy":
        found = _assertion(lang, targets[0])
        if found is None:
            return None
        args, expected = found
        instruction = (
            f"What does `{entry}({args})` return, with the code in `{repo.where[entry]}`? Give the value as a "  # noqa: E501
            f"{'Python' if lang.name == 'python' else 'JavaScript'} literal. {answer_rule}"
        )
    elif difficulty == "medium":
        summary = _summary(targets[0])
        if summary is None:
            return None
        instruction = f'Which function in this repository does this: "{summary}"? Answer with the function\'s name only. {answer_rule}'  # noqa: E501
        expected = entry
    else:
        instruction = (
            "Exactly one function in this repository does not do what its documentation says. Which one? "
            f"Do not fix it; answer with the function's name only. {answer_rule}"
        )
        expected = entry
    return agent_task(
        source=HEPACK_AGENT,
        route="explain",
        difficulty=difficulty,
        lang=lang,
        key=_key(targets),
        mode="ask",
        instruction=instruction,
        files=repo.render(),
        grader={"kind": "answer", "expected": expected},
        reference={"answer": expected},
    )


_SIMPLE = re.compile(r"^(-?\d+(\.\d+)?|True|False|true|false|None|null|'[^'\n]{0,40}'|\"[^\"\n]{0,40}\")$")


def _assertion(lang: Lang, row: Row) -> tuple[str, str] | None:
    entry = re.escape(row["entry_point"])
    pattern = (
        rf"^\s*assert {entry}\((.{{1,80}})\) == (.+?)\s*$"
        if lang.name == "python"
        else rf"^\s*console\.assert\(\s*{entry}\((.{{1,80}})\) === (.+?)\s*\)\s*$"
    )
    for args, value in re.findall(pattern, row["test"], re.M):
        if _SIMPLE.match(value.strip()) and args.count("(") == args.count(")"):
            return args, value.strip()
    return None


def _summary(row: Row) -> str | None:
    text = row["prompt"]
    doc = re.search(r'"""(.*?)"""', text, re.S) or re.search(r"/\*(.*?)\*/", text, re.S)
    if doc is None:
        return None
    first = re.split(r"(?<=\.)\s|\n\s*\n|>>>|For example|Example", doc.group(1).strip())[0]
    first = re.sub(r"\s+", " ", first).strip()
    if row["entry_point"] in first or len(first) < 25:
        return None
    return first[:300]


ROUTES: dict[str, Builder] = {"implement": implement, "debug": debug, "tests": tests, "explain": explain}
LANGS = (PY, JS)
__all__ = ["LANGS", "ROUTES", "hep_rows", "module_path"]
