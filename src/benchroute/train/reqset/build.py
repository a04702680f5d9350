"""Build the labelled request set: team templates and real public prompts, in client shapes.

    python -m benchroute.train.reqset.build --data ../shared/data --out data/requests/requests.jsonl

Deterministic for a seed. Splits are assigned by group (template id, or the public item's id)
within each task type, so every route is on every side and no group is on two sides.
"""

from __future__ import annotations

import argparse
import random
import zlib
from pathlib import Path
from typing import Any

from benchroute.train.reqset import clients, pastes, realprompts, written
from benchroute.train.reqset.clients import Conversation, ToolStep
from benchroute.train.reqset.records import write_jsonl
from benchroute.train.reqset.templates import Template, load, load_train_only

PER_TEMPLATE = 7
TEST_SHARE, DEV_SHARE = 0.25, 0.15
MODULES = ("billing", "auth", "importer", "scheduler", "reports", "notifications", "search", "inventory")
FOLLOWUPS = ("continue", "go ahead", "yes, do it", "ok, proceed", "looks good, keep going")
HARD_SCOPE = (
    " It has to work across all 12 services in the monorepo.",
    " This spans the frontend, the API and the database migrations.",
)
EASY_SCOPE = (" It's a one-line change.", " Should be a quick one, just that spot.")


def _steps(ctx: str, lang: str, row: dict[str, Any], rng: random.Random) -> list[ToolStep]:
    path = pastes.file_name(row, lang)
    read = ToolStep("read", path, pastes.file_read(row, lang))
    test_cmd = {
        "python": "pytest -q",
        "js": "npm test",
        "java": "mvn test",
        "go": "go test ./...",
        "cpp": "ctest --output-on-failure",
        "rust": "cargo test",
    }[lang]
    if ctx == "readfile":
        return [ToolStep("search", row["entry_point"], f"{path}:12:def {row['entry_point']}"), read]
    if ctx == "failtest":
        return [read, ToolStep("run", test_cmd, pastes.failing_tests(lang, row, rng), True)]
    if ctx == "passtest":
        return [read, ToolStep("run", test_cmd, pastes.passing_tests(lang, rng))]
    if ctx == "compile":
        build = {
            "python": "python -m compileall src",
            "js": "npx tsc --noEmit",
            "java": "mvn compile",
            "go": "go build ./...",
            "cpp": "make",
            "rust": "cargo build",
        }[lang]
        return [ToolStep("run", build, pastes.compiler_error(lang, row, rng), True)]
    ok = rng.random() < 0.4
    return [ToolStep("run", "make setup", pastes.command_output(rng, ok), not ok)]


def _paste(ctx: str, lang: str, row: dict[str, Any], rows: list[dict[str, Any]], rng: random.Random) -> str:
    if ctx == "code":
        return pastes.fence(pastes.code_of(row, buggy=rng.random() < 0.5), lang)
    if ctx == "bigcode":
        size = rng.choice((3000, 8000, 20000, 20000, 50000, 95000))
        return pastes.fence(pastes.big_code(rows, lang, size, rng), lang)
    if ctx == "trace":
        text = pastes.traceback(lang, row, rng)
        return f"```\n{text}\n```" if rng.random() < 0.5 else text
    if ctx == "diff":
        return f"```diff\n{pastes.diff(row, lang, rng)}\n```"
    if ctx == "errpaste":
        text = pastes.compiler_error(lang, row, rng)
        return f"```\n{text}\n```" if rng.random() < 0.5 else text
    if ctx == "log":
        return pastes.log_lines(rng, rng.choice((20, 80, 400)))
    return ""


def _fill(tpl: Template, lang: str, row: dict[str, Any], rng: random.Random) -> str:
    doc = str(row.get("docstring") or "work").strip().split("\n")[0][:120].rstrip(".").lower()
    return tpl.text.format(
        fn=row["entry_point"],
        file=pastes.file_name(row, lang),
        Lang=pastes.LANG_NAME[lang],
        module=rng.choice(MODULES),
        doc=doc,
    )


def _difficulty(tpl: Template, text: str, rng: random.Random, relabel: bool) -> tuple[str, str]:
    """A quarter of the instances get a canned scope sentence and its difficulty.

    Only the templates of the first batch (`relabel`): the test split keeps its requests. Later
    templates tell their difficulty in their own words; appending "It's a one-line change." to a
    60-table migration teaches the two sentences, not scope (docs/classifier.md, fourth pass).
    """
    if len(text) < 10 or not relabel:  # a bare paste ("", "??", "help") carries no scope words
        return text, tpl.difficulty
    if tpl.task in ("general", "explain") or rng.random() > 0.25:
        return text, tpl.difficulty
    if tpl.difficulty != "hard" and rng.random() < 0.5:
        return text + rng.choice(HARD_SCOPE), "hard"
    if tpl.difficulty != "easy" and tpl.task != "plan":
        return text + rng.choice(EASY_SCOPE), "easy"
    return text, tpl.difficulty


def from_template(
    tpl: Template,
    k: int,
    templates: tuple[Template, ...],
    rows: dict[str, list[dict[str, Any]]],
    seed: int,
    relabel: bool = True,
) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{tpl.id}:{k}")
    lang = rng.choice(pastes.LANGS)
    row = rng.choice(rows[lang])
    ctx = rng.choice(tpl.ctx)
    text, difficulty = _difficulty(tpl, _fill(tpl, lang, row, rng), rng, relabel)
    paste = _paste(ctx, lang, row, rows[lang], rng)
    if paste:
        joined = f"{text}\n\n{paste}" if rng.random() < 0.7 else f"{paste}\n\n{text}"
        text = joined if text else paste  # a bare paste: the turn is the paste alone
    steps = (
        _steps(ctx, lang, row, rng) if ctx in ("readfile", "failtest", "passtest", "compile", "cmd") else []
    )
    conv = Conversation(text, steps)
    if tpl.task != "general" and rng.random() < 0.15:
        conv.followup = rng.choice(FOLLOWUPS)
    if rng.random() < 0.12:
        other = templates[rng.randrange(len(templates))]
        conv.earlier = (_fill(other, lang, row, rng), "Done. Anything else?")
    client, request = clients.shape(conv, tpl.task, rng)
    uses_lang = ctx != "none" or "{Lang}" in tpl.text
    return {
        "id": f"{tpl.id}#{k}",
        "source": "team-template",
        "template": tpl.id,
        "group": tpl.id,
        "client": client,
        "language": lang if uses_lang else "none",
        "task_type": tpl.task,
        "subtype": tpl.subtype,
        "difficulty": difficulty,
        "context": ctx,
        "provenance": "team-written template (benchroute), code from HumanEvalPack (MIT)",
        "request": request,
    }


def assign_splits(records: list[dict[str, Any]], seed: int) -> None:
    """test / dev / train by group, stratified by task type (by the group's majority route)."""
    by_task: dict[str, set[str]] = {}
    for r in records:
        by_task.setdefault(r["task_type"], set()).add(r["group"])
    split_of: dict[str, str] = {}
    for groups in by_task.values():
        ordered = sorted(groups, key=lambda g: zlib.crc32(f"{seed}:{g}".encode()))
        n_test = max(1, round(len(ordered) * TEST_SHARE))
        n_dev = max(1, round(len(ordered) * DEV_SHARE))
        for i, g in enumerate(ordered):
            split_of.setdefault(g, "test" if i < n_test else "dev" if i < n_test + n_dev else "train")
    for r in records:
        r["split"] = split_of[r["group"]]


def assign_train_only(records: list[dict[str, Any]], seed: int) -> None:
    """train or dev by group (about one group in five to dev); never test."""
    dev_share = DEV_SHARE / (1 - TEST_SHARE)
    for r in records:
        draw = zlib.crc32(f"{seed}:{r['group']}".encode()) / 2**32
        r["split"] = "dev" if draw < dev_share else "train"


def build(data: Path, seed: int = 0) -> list[dict[str, Any]]:
    rows = pastes.load_rows(data)
    templates = load()
    records = [from_template(t, k, templates, rows, seed) for t in templates for k in range(PER_TEMPLATE)]
    records += realprompts.records(data, rows, seed)
    assign_splits(records, seed)
    later = load_train_only()
    ids = [t.id for t in templates + later]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate template ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    extra = [from_template(t, k, templates, rows, seed, False) for t in later for k in range(PER_TEMPLATE)]
    extra += written.train_records(seed)
    assign_train_only(extra, seed)
    return records + extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data/requests/requests.jsonl"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n = write_jsonl(args.out, build(args.data, args.seed))
    print(f"wrote {n} requests to {args.out}")


if __name__ == "__main__":
    main()
