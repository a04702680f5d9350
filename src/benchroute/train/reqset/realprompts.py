"""Real public prompts as requests: Arena-Hard (Apache-2.0), MT-Bench via RouteLLM (Apache-2.0),
the Aider polyglot exercises (Exercism, MIT), the Aider refactor benchmark (Apache-2.0) and
HumanEvalPack (MIT). Each keeps its provenance; labels come from the dataset's own task where it
has one, else from the narrow rules below (provenance says "rule").
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from benchroute.train.reqset import clients, pastes
from benchroute.train.reqset.clients import Conversation

# Words that say a prompt is about code (the request set's build keeps its own copy, so that a
# change to the classifier's cue lexicon does not change the committed data).
_CODE_WORDS = re.compile(
    r"(?<![\w-])(?:code|codebase|function|class|method|api|endpoint|repo|service|database|sql|query|"
    r"file|module|app|server|commit|branch|python|javascript|typescript|java|golang|go|rust|c\+\+|c#|"
    r"react|django|flask|fastapi|css|html|json|yaml|docker|library|package|compiler|variable|regex|"
    r"script|cli|frontend|backend|schema|migration|deploy|bug|stack|thread|async|cache|redis|postgres|"
    r"mysql|files|worker|queue|jobs?|scheduler|retry|request|route|token|session|config|webhooks?|ui|"
    r"component|pipeline|tests?|build|kotlin|swift|php|ruby|bash|linux|git|program|algorithm|array|"
    r"string|integer|list|dict|loop|exception|compile|crate|npm|pip|sdk|orm|websocket|http|url|auth|"
    r"login)(?![\w-])"
)

# Narrow, high-precision rules for Arena-Hard coding prompts; the first match wins, no match: dropped.
_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("tests", "write", re.compile(r"\b(write|add|create|generate)\b[^.\n]{0,40}\b(unit )?tests?\b", re.I)),
    (
        "debug",
        "fix",
        re.compile(
            r"\b(i get (an|this) error|traceback|doesn'?t work|not working|fix\b[^.\n"
            r"]{0,30}\b(bug|error|issue|code))",
            re.I,
        ),
    ),
    (
        "refactor",
        "cleanup",
        re.compile(r"^\s*(please )?(refactor|clean ?up|rewrite[^.\n]{0,30}more (readable|efficient))", re.I),
    ),
    ("review", "file", re.compile(r"\b(review|critique) (my|this|the)\b", re.I)),
    (
        "explain",
        "explain",
        re.compile(r"^\s*(explain|what is|what are|how does|how do|why does|what's the difference)\b", re.I),
    ),
    (
        "implement",
        "generate",
        re.compile(
            r"^\s*(please )?(write|create|implement|build|make|generate|code|develop|give me)\b", re.I
        ),
    ),
)


def rule_label(text: str) -> tuple[str, str] | None:
    head = text[:400]
    if not _CODE_WORDS.search(head.lower()):
        return None  # "coding" in Arena's category but nothing about code in the prompt
    for task, sub, pattern in _RULES:
        if pattern.search(head):
            return task, sub
    return None


def difficulty_from_exercism(level: int) -> str:
    """Exercism's maintainer-assigned level (1-10) -> the rubric's difficulty."""
    if level <= 3:
        return "easy"
    if level <= 6:
        return "medium"
    return "hard"


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _rec(
    rid: str,
    source: str,
    group: str,
    text: str,
    label: tuple[str, str, str],
    language: str,
    provenance: str,
    rng: random.Random,
    followup: str | None = None,
) -> dict[str, Any]:
    task, sub, difficulty = label
    conv = Conversation(text)
    if followup:
        conv.followup = followup
    client, request = clients.shape(conv, task, rng)
    return {
        "id": rid,
        "source": source,
        "template": source,
        "group": group,
        "client": client,
        "language": language,
        "task_type": task,
        "subtype": sub,
        "difficulty": difficulty,
        "context": "none",
        "provenance": provenance,
        "request": request,
    }


def arena(data: Path, rng: random.Random, per_kind: int = 60) -> list[dict[str, Any]]:
    rows = _jsonl(data / "arena_hard" / "question_v2.0.jsonl")
    out: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    prov = "Arena-Hard-Auto v2.0 question (real Chatbot Arena prompt), Apache-2.0"
    for row in rows:
        kind = str(row["subcategory"])
        text = str(row["prompt"])[:100_000]
        if kind == "coding":
            found = rule_label(text)
            if found is None:
                continue
            label = (found[0], found[1], "hard")
            how = prov + "; label by rule"
        else:
            label = ("general", "", "hard" if kind == "math" else "medium")
            how = prov + "; label from the dataset category"
        if counts.get(kind, 0) >= per_kind:
            continue
        counts[kind] = counts.get(kind, 0) + 1
        out.append(
            _rec(
                f"arena/{row['uid']}",
                f"arena-hard/{kind}",
                f"arena/{row['uid']}",
                text,
                label,
                "none",
                how,
                rng,
            )
        )
    return out


def mt_bench(data: Path, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for row in _jsonl(data / "routellm_evals" / "mt_bench_question.jsonl"):
        if row["category"] == "coding":
            continue
        diff = "medium" if row["category"] in ("math", "reasoning") else "easy"
        qid = f"mt-bench/{row['question_id']}"
        follow = row["turns"][1] if rng.random() < 0.3 else None
        out.append(
            _rec(
                qid,
                "mt-bench",
                qid,
                row["turns"][0],
                ("general", "", diff),
                "none",
                "MT-Bench question (RouteLLM evals), Apache-2.0; label from the category",
                rng,
                follow,
            )
        )
    return out


def aider_polyglot(data: Path, rng: random.Random, n: int = 110) -> list[dict[str, Any]]:
    names = {"javascript": "js", "cpp": "cpp", "go": "go", "java": "java", "python": "python", "rust": "rust"}
    rows = _jsonl(data / "aider_polyglot_exercises" / "exercises.jsonl")
    rows = sorted(rows, key=lambda r: random.Random(f"pg{r['slug']}{r['language']}").random())[:n]
    out = []
    for row in rows:
        lang = names[row["language"]]
        files = ", ".join(row["solution_files"])
        text = (
            f"{row['instructions']}\n{row.get('instructions_append') or ''}\n\nUse the above instructions to "
            f"modify the supplied files: {files}. Don't change the names of existing functions or classes. "
            f"Only use standard libraries."
        )
        label = ("implement", "feature", difficulty_from_exercism(int(row["exercism_difficulty"])))
        out.append(
            _rec(
                f"polyglot/{row['language']}/{row['slug']}",
                "aider-polyglot",
                f"polyglot/{row['slug']}",
                text,
                label,
                lang,
                "Aider polyglot benchmark exercise (Exercism, MIT); difficulty from "
                "Exercism's maintainer-assigned level",
                rng,
            )
        )
    return out


def aider_refactor(
    data: Path, rows: dict[str, list[dict[str, Any]]], rng: random.Random
) -> list[dict[str, Any]]:
    out = []
    for row in _jsonl(data / "aider_refactor_benchmark" / "tasks.jsonl"):
        size = min(int(row["source_bytes"]), 95_000) if rng.random() < 0.5 else 12_000
        code = pastes.big_code(rows["python"], "python", size, rng)
        name = str(row["source_file"]).rsplit("/", 1)[-1]
        text = f"{row['instructions']}\n\n{name}\n```python\n{code}\n```"
        out.append(
            _rec(
                f"refactor/{row['task']}",
                "aider-refactor",
                f"refactor/{row['task']}",
                text,
                ("refactor", "restructure", "medium"),
                "python",
                "Aider refactor benchmark instruction (Apache-2.0); the file is stand-in code "
                "from HumanEvalPack of the original file's size",
                rng,
            )
        )
    return out


def humanevalpack(
    rows: dict[str, list[dict[str, Any]]], rng: random.Random, n: int = 60
) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        lang = pastes.LANGS[i % len(pastes.LANGS)]
        row = rows[lang][(i * 37) % len(rows[lang])]
        num = str(row["task_id"]).split("/")[-1]
        out.append(
            _rec(
                f"hep/{row['task_id']}",
                "humanevalpack",
                f"hep/{num}",
                str(row["instruction"]),
                ("implement", "generate", "easy"),
                lang,
                "HumanEvalPack synthesize instruction (MIT)",
                rng,
            )
        )
    return out


def records(data: Path, rows: dict[str, list[dict[str, Any]]], seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"real{seed}")
    return (
        arena(data, rng)
        + mt_bench(data, rng)
        + aider_polyglot(data, rng)
        + aider_refactor(data, rows, rng)
        + humanevalpack(rows, rng)
    )
