"""Converters from the public outcome matrices in ../shared/data to DESIGN.md outcome JSONL.

Each converter takes the dataset folder and returns `OutcomeRecord`s; `DATASETS` maps each dataset's
name to its folder and converter; `load(name, data)` reads one. Where a source has no per-call cost,
the cost is estimated and the docstring says how. Run `python scripts/evaluate_convert.py` to write
them all as JSONL. Nothing here ships data: the converters read files given to them.
"""

from __future__ import annotations

import ast
import csv
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchroute.evaluate.outcomes import Outcome, OutcomeRecord


def token_count(text: str) -> int:
    """A cheap estimate of the prompt length in model tokens (about 4 characters a token)."""
    return max(1, math.ceil(len(text) / 4))


ROUTERBENCH_FILES = (
    "arc_challenge_train.csv",
    "arc_challenge_test.csv",
    "winograde_train.csv",
    "winograde_test.csv",
    "mbpp_train.csv",
)


def _prompt_from_list_string(raw: str) -> str:
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def routerbench(folder: Path) -> list[OutcomeRecord]:
    """RouterBench 0-shot (RouterDC split): 0/1 score and real USD cost per call, 11 models."""
    csv.field_size_limit(1 << 30)
    records = []
    seen: set[str] = set()
    for name in ROUTERBENCH_FILES:
        path = folder / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = reader.fieldnames or []
            models = [f[: -len("|total_cost")] for f in fields if f.endswith("|total_cost")]
            for row in reader:
                rid = row["sample_id"]
                if rid in seen:  # a few ids repeat across the source's splits: keep both rows, distinctly
                    rid = f"{path.stem}:{rid}"
                seen.add(rid)
                outcomes = {
                    m: Outcome(score=float(row[m]), cost=float(row[f"{m}|total_cost"]))
                    for m in models
                    if row.get(m) not in (None, "") and row.get(f"{m}|total_cost") not in (None, "")
                }
                records.append(
                    OutcomeRecord(
                        id=rid,
                        text=_prompt_from_list_string(row["prompt"]),
                        outcomes=outcomes,
                        task_type=row.get("eval_name") or None,
                    )
                )
    return records


LLMROUTER_OUTPUT_TOKENS = 200


def llmrouter(folder: Path) -> list[OutcomeRecord]:
    """LLMRouter (ulab) dcrouter matrix: 0/1 scores, 9 models. No token counts in the source, so
    cost = (prompt tokens (chars/4) x input price + 200 output tokens x output price) / 1e6, with the
    NVIDIA NIM prices of llm_candidates.json."""
    prices = json.loads((folder / "llm_candidates.json").read_text(encoding="utf-8"))
    records = []
    with open(folder / "dcrouter_matrix_with_task.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        models = [f for f in (reader.fieldnames or []) if f in prices]
        for row in reader:
            tokens = token_count(row["question"])
            outcomes = {}
            for m in models:
                if row.get(m) in (None, ""):
                    continue
                p = prices[m]
                cost = (tokens * p["input_price"] + LLMROUTER_OUTPUT_TOKENS * p["output_price"]) / 1e6
                outcomes[m] = Outcome(score=float(row[m]), cost=cost)
            records.append(
                OutcomeRecord(
                    id=f"{row['split']}-{row['idx']}",
                    text=row["question"],
                    outcomes=outcomes,
                    task_type=row.get("task_name") or None,
                )
            )
    return records


def _result(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        parsed = ast.literal_eval(value)
        if isinstance(parsed, dict):
            return parsed
    return {}


def routerarena(folder: Path) -> list[OutcomeRecord]:
    """RouterArena cached results, 2 models: 0/1 score and the real inference cost of each call."""
    by_id: dict[str, tuple[str, dict[str, Outcome]]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        model = path.stem
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                row = json.loads(line)
                res = _result(row.get("evaluation_result"))
                if "score" not in res:
                    continue
                _, outs = by_id.setdefault(row["global_index"], (row["question"], {}))
                outs[model] = Outcome(score=float(res["score"]), cost=float(res.get("inference_cost", 0.0)))
    return [
        OutcomeRecord(id=gid, text=text, outcomes=outs, task_type=gid.rsplit("_", 1)[0])
        for gid, (text, outs) in by_id.items()
    ]


# USD per 1M tokens (input, output): gpt-4-1106-preview list price; Mixtral-8x7B as served by Together.
ROUTELLM_PRICES = {
    "gpt-4-1106-preview": (10.0, 30.0),
    "mistralai/Mixtral-8x7B-Instruct-v0.1": (0.6, 0.6),
}


ROUTELLM_MODELS = tuple(ROUTELLM_PRICES)
MMLU_ANSWER_TOKENS = 8  # the source asks for the answer letter; no response text is kept


def _routellm_cost(model: str, prompt_tokens: int, answer_tokens: int) -> float:
    in_price, out_price = ROUTELLM_PRICES[model]
    return (prompt_tokens * in_price + answer_tokens * out_price) / 1e6


def routellm_mtbench(folder: Path) -> list[OutcomeRecord]:
    """RouteLLM MT-Bench: 80 questions x 2 turns, GPT-4 judge score 1-10 scaled to 0..1, 2 models.
    Cost is estimated: prompt tokens (chars/4) x input price + answer tokens x output price, where
    the answer length is the judge prompt's length minus the question's (chars/4)."""
    questions = {}
    with open(folder / "mt_bench_question.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                q = json.loads(line)
                questions[q["question_id"]] = q
    by_key: dict[str, tuple[str, str, dict[str, Outcome]]] = {}
    with open(folder / "mt_bench_judgements.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            j = json.loads(line)
            q = questions.get(j["question_id"])
            if q is None or j["model"] not in ROUTELLM_PRICES or j.get("score", -1) < 0:
                continue
            turn = int(j["turn"])
            text = "\n\n".join(q["turns"][:turn])
            answer_tokens = max(1, token_count(j["user_prompt"]) - token_count(text) - 100)
            cost = _routellm_cost(j["model"], token_count(text), answer_tokens)
            key = f"mt{j['question_id']}-t{turn}"
            _, _, outs = by_key.setdefault(key, (text, q["category"], {}))
            outs[j["model"]] = Outcome(score=float(j["score"]) / 10.0, cost=cost)
    return [OutcomeRecord(id=k, text=t, outcomes=o, task_type=c) for k, (t, c, o) in by_key.items()]


def _truth(value: str | None) -> float | None:
    if value in ("True", "False"):
        return 1.0 if value == "True" else 0.0
    return None


def _graded_outcomes(
    row: dict[str, str], prompt: str, answer_tokens: Callable[[str], int]
) -> dict[str, Outcome]:
    """The RouteLLM models graded True/False in `row`; cost from the prompt's and the answer's tokens."""
    outcomes = {}
    for m in ROUTELLM_MODELS:
        score = _truth(row.get(m))
        if score is not None:
            outcomes[m] = Outcome(score=score, cost=_routellm_cost(m, token_count(prompt), answer_tokens(m)))
    return outcomes


def routellm_gsm8k(folder: Path) -> list[OutcomeRecord]:
    """RouteLLM GSM8K: 1,319 test problems, correctness of GPT-4 and Mixtral. Cost per call from the
    prompt's and the kept response's token counts (chars/4) at the ROUTELLM_PRICES list prices."""
    csv.field_size_limit(1 << 30)
    records = []
    with open(folder / "gsm8k_gsm8k_responses.csv", encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            text = row["prompt"]

            def answer(m: str, row: dict[str, str] = row) -> int:
                return max(1, token_count(row.get(f"{m}_response") or ""))

            outcomes = _graded_outcomes(row, text, answer)
            records.append(OutcomeRecord(id=f"gsm8k-{i}", text=text, outcomes=outcomes, task_type="gsm8k"))
    return records


def routellm_mmlu(folder: Path) -> list[OutcomeRecord]:
    """RouteLLM MMLU: 14,042 questions in 57 subjects, correctness of GPT-4 and Mixtral. The source keeps
    no responses, so cost = prompt tokens (chars/4) x input price + 8 answer tokens x output price."""
    records = []
    for path in sorted((folder / "mmlu_responses").glob("mmlu_*.csv")):
        subject = path.stem[len("mmlu_") :]
        with open(path, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                text = row["prompt"]
                outcomes = _graded_outcomes(row, text, lambda m: MMLU_ANSWER_TOKENS)
                records.append(
                    OutcomeRecord(id=f"mmlu-{subject}-{i}", text=text, outcomes=outcomes, task_type=subject)
                )
    return records


# Dataset name -> (folder under the shared data directory, converter).
DATASETS: dict[str, tuple[str, Callable[[Path], list[OutcomeRecord]]]] = {
    "routerbench_subset_routerdc": ("routerbench_subset_routerdc", routerbench),
    "llmrouter_ulab": ("llmrouter_ulab", llmrouter),
    "routerarena_cached": ("routerarena_cached", routerarena),
    "routellm_evals": ("routellm_evals", routellm_mtbench),
    "routellm_gsm8k": ("routellm_evals", routellm_gsm8k),
    "routellm_mmlu": ("routellm_evals", routellm_mmlu),
}


def load(name: str, data: Path) -> list[OutcomeRecord]:
    """The records of dataset `name` (a key of DATASETS) from the shared data directory `data`."""
    folder, convert = DATASETS[name]
    return convert(data / folder)
