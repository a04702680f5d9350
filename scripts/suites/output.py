"""Writing the suites: one `<suite>.jsonl` per suite, and the NOTICE with the attributions."""

from __future__ import annotations

from pathlib import Path

from benchroute.bench.tasks import Task, dump_tasks, load_tasks

NOTICE = """Benchmark task suites shipped with benchroute, rebuilt by scripts/build_suites.py.
Each task records its `source` and `license`. Derived from:

- HumanEval, github.com/openai/human-eval: MIT License, Copyright (c) 2021 OpenAI.
  (humaneval; refactor, edits and docstrings are generated from its problems and solutions)
- HumanEvalPack (OctoPack), github.com/bigcode-project/octopack: MIT License, Copyright (c) 2023 BigCode.
  (humanevalpack_synthesize, humanevalpack_fix, humanevalpack_explain, tests, review; the agent
  suite's implement, debug, refactor, tests and explain repositories are generated from its problems)
- Aider polyglot benchmark, github.com/Aider-AI/polyglot-benchmark: exercises from Exercism
  (MIT License, Copyright (c) Exercism). (plan; the refactor suite follows the task style of
  github.com/Aider-AI/refactor-benchmark, Apache-2.0)
- The agent suite's command tasks are written by the benchroute team (Apache-2.0).
- Arena-Hard-Auto v2.0, github.com/lmarena/arena-hard-auto: Apache-2.0. (arena_hard; judged)
- GSM8K, github.com/openai/grade-school-math: MIT License, Copyright (c) 2021 OpenAI, as shipped
  in github.com/lm-sys/RouteLLM evals (Apache-2.0). (gsm8k)
- MMLU, github.com/hendrycks/test: MIT License, Copyright (c) 2020 Dan Hendrycks, as shipped in
  github.com/ulab-uiuc/LLMRouter (MIT, Copyright (c) 2024 U Lab @UIUC). (mmlu)
"""


def suite_path(out: Path, name: str) -> Path:
    """Where suite `name` is written in the output directory."""
    return out / f"{name}.jsonl"


def write_suite(out: Path, name: str, tasks: list[Task]) -> Path:
    """Write one suite, a task per line, and return its path."""
    path = suite_path(out, name)
    dump_tasks(tasks, path)
    return path


def read_suite(out: Path, name: str) -> list[Task] | None:
    """The suite as last written, or None if it has not been written."""
    path = suite_path(out, name)
    return load_tasks(path) if path.is_file() else None


def write_notice(out: Path) -> None:
    """Write the NOTICE file with every source's attribution."""
    (out / "NOTICE").write_text(NOTICE, encoding="utf-8")
