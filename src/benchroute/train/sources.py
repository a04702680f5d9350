"""Labelled examples from the public datasets in ../shared/data (labels from the datasets).

Each loader reads one folder and returns `Example`s; which task type and difficulty each source
gives, and why, is documented in docs/classifier.md.
"""

from __future__ import annotations

import ast
import csv
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchroute.train.examples import Example, difficulty_from_exercism, difficulty_from_share, text_key
from benchroute.train.rules import commit_label, rule_label

csv.field_size_limit(2**31 - 1)

LLMROUTER_TASKS: dict[str, str] = {
    "mbpp": "implement",
    "human_eval": "implement",
    "gsm8k": "math",
    "math": "math",
    "agentverse-mgsm": "math",
    "mmlu": "general",
    "gpqa": "general",
    "arc_challenge": "general",
    "commonsense_qa": "general",
    "openbook_qa": "general",
    "natural_qa": "general",
    "trivia_qa": "general",
    "agentverse-logicgrid": "general",
    "commongen": "general",
}
# trivia_qa: 399 of 550 prompts are solved by no model, an answer-matching artefact, not difficulty.
LLMROUTER_NO_DIFFICULTY = frozenset({"trivia_qa"})

MT_BENCH_TASKS: dict[str, str] = {
    "writing": "general",
    "roleplay": "general",
    "reasoning": "general",
    "math": "math",
    "coding": "implement",
    "extraction": "general",
    "stem": "general",
    "humanities": "general",
}

# MMLU subjects that are about programming would teach "general" on code questions; left out.
MMLU_SKIP = ("computer_science", "computer_security", "machine_learning")


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _ex(text: str, task: str, diff: str | None, source: str, kind: str = "dataset") -> Example:
    return Example(
        text=text.strip(), task_type=task, difficulty=diff, source=source, group=text_key(text), kind=kind
    )


def llmrouter(data: Path) -> list[Example]:
    """llmrouter_ulab: 6,108 prompts x 9 models, 0/1 scores; difficulty = share of models solving."""
    out = []
    with (data / "llmrouter_ulab" / "dcrouter_matrix_with_task.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        models = [c for c in reader.fieldnames or [] if c not in ("split", "idx", "task_name", "question")]
        for row in reader:
            task = row["task_name"]
            share = sum(float(row[m]) for m in models) / len(models)
            diff = None if task in LLMROUTER_NO_DIFFICULTY else difficulty_from_share(share)
            out.append(_ex(row["question"], LLMROUTER_TASKS[task], diff, f"llmrouter/{task}"))
    return out


def routerbench(data: Path) -> list[Example]:
    """RouterBench 0-shot (RouterDC split): 11 models, 0/1; difficulty = share of models solving."""
    folder = data / "routerbench_subset_routerdc"
    tasks = {"mbpp": "implement", "arc_challenge": "general", "winograde": "general"}
    out = []
    for name, task in tasks.items():
        for split in ("train", "test"):
            path = folder / f"{name}_{split}.csv"
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                fields = reader.fieldnames or []
                models = [
                    c
                    for c in fields
                    if c not in ("", "sample_id", "prompt", "eval_name", "oracle_model_to_route_to")
                    and "|" not in c
                ]
                for row in reader:
                    try:
                        parts = ast.literal_eval(row["prompt"])
                        text = "\n".join(parts) if isinstance(parts, list) else str(parts)
                    except (ValueError, SyntaxError):
                        text = row["prompt"]
                    scores = [float(row[m]) for m in models if row[m] not in ("", "nan")]
                    diff = difficulty_from_share(sum(scores) / len(scores)) if len(scores) >= 8 else None
                    out.append(_ex(text, task, diff, f"routerbench/{name}"))
    # split2_model7: pass rates over 10 samples for 7 open models.
    for name in ("humaneval_train", "humaneval_test", "mbpp", "javascript"):
        for item in json.loads((folder / "split2_model7" / f"{name}.json").read_text()):
            scores = list(item["scores"].values())
            share = sum(scores) / len(scores)
            label = name.split("_")[0]
            out.append(_ex(item["question"], "implement", difficulty_from_share(share), f"routerdc7/{label}"))
    return out


def aider(data: Path) -> list[Example]:
    """Aider polyglot exercises (implement; Exercism difficulty) and the refactor benchmark (refactor)."""
    out = []
    for row in _jsonl(data / "aider_polyglot_exercises" / "exercises.jsonl"):
        text = f"{row['instructions']}\n{row.get('instructions_append') or ''}".strip()
        lang = row["language"]
        sol = row["solution_files"]
        files = ", ".join(sol if isinstance(sol, list) else ast.literal_eval(sol))
        text = f"Implement this {lang} exercise in {files}.\n\n{text}"
        diff = difficulty_from_exercism(int(row["exercism_difficulty"]))
        out.append(_ex(text, "implement", diff, "aider/polyglot"))
    for row in _jsonl(data / "aider_refactor_benchmark" / "tasks.jsonl"):
        out.append(_ex(row["instructions"], "refactor", None, "aider/refactor"))
    return out


def routellm(data: Path, mmlu_per_subject: int = 20) -> list[Example]:
    """RouteLLM evals: GSM8K (math), MMLU (general, a few per subject), MT-Bench (by category)."""
    folder = data / "routellm_evals"
    out = []
    with (folder / "gsm8k_gsm8k_responses.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.append(_ex(row["prompt"], "math", None, "routellm/gsm8k"))
    for path in sorted((folder / "mmlu_responses").glob("mmlu_*.csv")):
        if any(s in path.name for s in MMLU_SKIP):
            continue
        task = "math" if "mathematics" in path.name else "general"
        with path.open(encoding="utf-8") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if i >= mmlu_per_subject:
                    break
                out.append(_ex(row["prompt"], task, None, "routellm/mmlu"))
    for row in _jsonl(folder / "mt_bench_question.jsonl"):
        task = MT_BENCH_TASKS[row["category"]]
        for turn in row["turns"]:
            ex = _ex(turn, task, None, f"mtbench/{row['category']}")
            ex.group = f"mtbench/{row['question_id']}"
            out.append(ex)
    return out


def arena_hard(data: Path) -> list[Example]:
    """Arena-Hard v2 subcategories (coding -> keyword rules, default implement; math; creative)."""
    out = []
    for row in _jsonl(data / "arena_hard" / "question_v2.0.jsonl"):
        sub, text = row["subcategory"], row["prompt"]
        if sub == "math":
            out.append(_ex(text, "math", None, "arena_hard/math"))
        elif sub == "creative_writing":
            out.append(_ex(text, "general", None, "arena_hard/creative"))
        else:
            label = rule_label(text, coding=True) or "implement"
            out.append(_ex(text, label, None, "arena_hard/coding", kind="rule"))
    return out


def oasst(data: Path) -> list[Example]:
    """Real OpenAssistant prompts (OctoPack filter), labelled by the keyword rules or dropped."""
    folder = data / "humanevalpack_octopack" / "oasst"
    out = []
    for name, coding in (("oasstcommitpackftmanual", False), ("oasstcommitpackft", True)):
        for row in _jsonl(folder / f"{name}.jsonl"):
            label = commit_label(row["prompt"]) or rule_label(row["prompt"], coding=coding)
            if label is not None:
                out.append(_ex(row["prompt"], label, None, f"oasst/{name}", kind="rule"))
    for row in _jsonl(folder / "rawin.jsonl"):
        label = rule_label(row["instruction"], coding=True)
        if label is not None:
            out.append(_ex(row["instruction"], label, None, "oasst/rawin", kind="rule"))
    return out


def humanevalpack(data: Path) -> list[dict[str, Any]]:
    rows = []
    for lang in ("python", "js", "java", "go", "cpp", "rust"):
        for row in _jsonl(data / "humanevalpack_octopack" / f"humanevalpack_{lang}.jsonl"):
            row["language"] = lang
            rows.append(row)
    return rows


def load_all(data: Path) -> list[Example]:
    """Every dataset-labelled and rule-labelled real prompt (generated examples are in synth.py)."""
    out: list[Example] = []
    for loader in (llmrouter, routerbench, aider, routellm, arena_hard, oasst):
        out.extend(loader(data))
    return out
