"""`gsm8k` (math): grade-school word problems, scored by exact comparison of the final number.

Source: GSM8K (github.com/openai/grade-school-math, MIT) as shipped in the lm-sys/RouteLLM evals,
`routellm_evals/gsm8k_gsm8k_responses.csv`. That file has no answer column: a problem is used when
the weak model's response is marked correct, and that response's `#### <number>` is the answer.
Difficulty is the number of `<<...>>` calculator steps in the response (up to 2 easy, up to 4 medium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from benchroute.bench.tasks import Task

from .common import Source, by_count, read_csv, take

GSM8K = Source("openai/grade-school-math GSM8K via lm-sys/RouteLLM evals", "MIT")

WEAK_MODEL = "mistralai/Mixtral-8x7B-Instruct-v0.1"
"""The model whose graded responses supply the answers."""


def _gsm8k(data: Path) -> Iterator[Task]:
    for i, row in enumerate(read_csv(data / "routellm_evals" / "gsm8k_gsm8k_responses.csv")):
        response = row[f"{WEAK_MODEL}_response"]
        found = re.findall(r"####\s*(-?[\d,]*\.?\d+)", response)
        if row[WEAK_MODEL] != "True" or not found:
            continue
        answer = found[-1].replace(",", "")
        yield GSM8K.task(
            id=f"gsm8k/{i}",
            suite="gsm8k",
            task_type="math",
            difficulty=by_count(response.count("<<"), 2, 4),
            prompt=(
                f"{row['prompt'].strip()}\n\nSolve it step by step, then give the final numeric "
                "answer on a last line of the form `#### <number>`."
            ),
            checker={"kind": "exact", "normalize": "number", "answer": answer},
            reference=f"Working.\n#### {answer}",
        )


def gsm8k_tasks(data: Path, limit: int = 300) -> list[Task]:
    """`gsm8k`: the first `limit` problems with a known answer, in file order."""
    return take(_gsm8k(data), limit)
