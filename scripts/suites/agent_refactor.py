"""Refactor tasks from HumanEvalPack functions: easy = rename a function and its caller in one
file; medium = move a function to a new module and fix the importing module; hard = move three
functions from three modules into one new module, fixing two importing modules."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Sequence

from benchroute.bench.tasks import Task

from .agent_hep import _checked, _key, _names, _pick
from .agent_lang import Case, Lang, Row
from .agent_repo import HEPACK_AGENT, Repo, agent_task, layout, module_path


def _camel(prefix: str, name: str, lang: Lang) -> str:
    return f"{prefix}_{name}" if lang.name == "python" else prefix + name[0].upper() + name[1:]


def _callers(lang: Lang, repo: Repo, rows: Sequence[Row], caller: str, prefix: str) -> list[Case]:
    """A caller module importing each row's function from where it lives now, with a wrapper each."""
    lines, wrappers, cases = [], [], []
    for row in rows:
        entry = row["entry_point"]
        name = _camel(prefix, entry, lang)
        lines.append(lang.import_line([entry], repo.where[entry], caller))
        wrappers.append(lang.wrapper(name, entry))
        cases.append(Case(caller, name, entry, row["test"]))
    repo.requires[caller] = "\n".join(lines)
    repo.extra[caller] = "\n\n".join(wrappers)
    repo.modules.setdefault(caller, [])
    return cases


def _rename(lang: Lang, rng: random.Random, rows: Sequence[Row]) -> Task:
    targets, _ = _pick(rows, rng, "easy")
    row = targets[0]
    entry = row["entry_point"]
    new = _camel("compute", entry, lang)
    repo = layout(lang, "easy", [(row, "canonical")], rng, [])
    path = repo.where[entry]
    caller = _camel("report", entry, lang)
    repo.extra[path] = lang.wrapper(caller, entry)
    before = repo.render()
    after = {path: re.sub(rf"\b{re.escape(entry)}\b", new, before[path])}
    check = _checked(
        lang,
        [Case(path, new, entry, row["test"]), Case(path, caller, entry, row["test"])],
        [(path, rf"\b{entry}\b")],
    )
    return agent_task(
        source=HEPACK_AGENT,
        route="refactor",
        difficulty="easy",
        lang=lang,
        key=_key(targets),
        mode="code",
        instruction=f"Rename the function `{entry}` in `{path}` to `{new}` and update every use of it. "
        "Its behaviour must not change, and the old name must not remain.",
        files=before,
        hidden=check["hidden"],
        grader=check["grader"],
        reference={"files": after},  # type: ignore[arg-type]
    )


def _move(lang: Lang, difficulty: str, rng: random.Random, rows: Sequence[Row]) -> Task:
    targets, others = _pick(rows, rng, difficulty)
    repo = layout(lang, difficulty, [(r, "canonical") for r in targets], rng, others)
    new = module_path(lang, "core", True)
    cli = module_path(lang, "cli", True)
    api = module_path(lang, "api", True)
    olds = {repo.where[r["entry_point"]] for r in targets}
    moved = copy.deepcopy(repo)
    cases = _callers(lang, repo, targets, cli, "run")
    if difficulty == "hard":
        cases += _callers(lang, repo, targets[:2], api, "serve")
    for row in targets:
        entry = row["entry_point"]
        old = moved.where[entry]
        moved.modules[old] = [p for p in moved.modules[old] if p[0]["entry_point"] != entry]
        moved.modules.setdefault(new, []).append((row, "canonical"))
        moved.where[entry] = new
    _callers(lang, moved, targets, cli, "run")
    if difficulty == "hard":
        _callers(lang, moved, targets[:2], api, "serve")
    cases += [Case(new, r["entry_point"], r["entry_point"], r["test"]) for r in targets]
    cases += [
        Case(repo.where[r["entry_point"]], r["entry_point"], r["entry_point"], r["test"]) for r in others
    ]
    absent = [(repo.where[r["entry_point"]], rf"\b{r['entry_point']}\b") for r in targets]
    check = _checked(lang, cases, absent)
    before, after = repo.render(), moved.render()
    callers = "`" + cli + "`" + (f" and `{api}`" if difficulty == "hard" else "")
    instruction = (
        f"Move {_names(targets)} out of {', '.join(f'`{o}`' for o in sorted(olds))} into a new module `{new}`, "  # noqa: E501
        f"and update {callers}, which use{'s' if difficulty != 'hard' else ''} "
        f"{'it' if len(targets) == 1 else 'them'}. Behaviour must not change; leave no copy or re-export "
        "behind in the old modules."
    )
    return agent_task(
        source=HEPACK_AGENT,
        route="refactor",
        difficulty=difficulty,
        lang=lang,
        key=_key(targets),
        mode="code",
        instruction=instruction,
        files=before,
        hidden=check["hidden"],
        grader=check["grader"],  # type: ignore[arg-type]
        reference={"files": {p: t for p, t in after.items() if before.get(p) != t}},
    )


def refactor(lang: Lang, difficulty: str, rows: Sequence[Row], rng: random.Random, i: int) -> Task:
    return _rename(lang, rng, rows) if difficulty == "easy" else _move(lang, difficulty, rng, rows)
