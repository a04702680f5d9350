"""`mmlu` (general): four-option multiple-choice questions, scored by the letter of the answer.

Source: MMLU (github.com/hendrycks/test, MIT) as shipped in github.com/ulab-uiuc/LLMRouter, the
`mmlu` rows of `llmrouter_ulab/query_test.jsonl` then `query_train.jsonl`. Difficulty is the
tercile of the question's length.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task

from .common import Source, by_tercile, read_jsonl

MMLU = Source("hendrycks/test MMLU via ulab-uiuc/LLMRouter", "MIT")


def mmlu_rows(data: Path) -> list[dict[str, Any]]:
    """The MMLU rows of the test file, then of the train file."""
    rows: list[dict[str, Any]] = []
    for name in ("query_test.jsonl", "query_train.jsonl"):
        rows.extend(r for r in read_jsonl(data / "llmrouter_ulab" / name) if r["task_name"] == "mmlu")
    return rows


def _mmlu(i: int, row: dict[str, Any], difficulty: str) -> Task:
    choices = ast.literal_eval(row["choices"])
    options = "\n".join(f"{chr(65 + k)}. {c}" for k, c in enumerate(choices))
    return MMLU.task(
        id=f"mmlu/{i}",
        suite="mmlu",
        task_type="general",
        difficulty=difficulty,
        prompt=(
            f"{row['query'].strip()}\n\n{options}\n\nAnswer with the letter of the correct option, on a "
            "last line of the form `Answer: <letter>`."
        ),
        checker={"kind": "exact", "normalize": "letter", "answer": row["ground_truth"], "choices": "ABCD"},
        reference=f"Answer: {row['ground_truth']}",
    )


def mmlu_tasks(data: Path, limit: int = 300) -> list[Task]:
    """`mmlu`: the first `limit` questions."""
    rows = mmlu_rows(data)[:limit]
    level = by_tercile([len(r["query"].strip()) for r in rows])
    return [_mmlu(i, row, level(len(row["query"].strip()))) for i, row in enumerate(rows)]
