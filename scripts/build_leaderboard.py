#!/usr/bin/env python3
"""Build the shipped default leaderboard, src/benchroute/data/leaderboard.json, from public results.

Sources (all under ../shared/data, each with a SOURCE.txt):
  aider_leaderboards/     polyglot -> implement:hard, edit -> edit:medium, refactor -> refactor:hard
  llmrouter_ulab/         9 open models x 14 tasks, 0/1 per prompt (MBPP, HumanEval, GSM8K, MATH, ...)
  routerbench_subset_routerdc/  11 models x MBPP / ARC-Challenge / Winogrande, 0/1 with cost per call

Every source row is mapped onto a catalog id by an explicit table below (rows not in the table are
left out); every cell lists the rows it came from. Outcome-matrix prompts are put in a difficulty
by the share of the source's models that solve them (docs/routing.md, "The default leaderboard").
The output depends only on the input files: rerun it and the bytes are identical.

    python scripts/build_leaderboard.py [--data ../shared/data] [--out src/benchroute/data/leaderboard.json]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchroute.leaderboard.snapshot import CellStats, Snapshot

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "benchroute" / "data" / "leaderboard.json"
CATALOG = ROOT / "src" / "benchroute" / "data" / "catalog.toml"

# ---- Aider leaderboards: (file, cell, pass-rate column) and (model, edit_format) -> catalog id ----

AIDER_FILES = (
    ("polyglot_leaderboard.csv", "implement:hard", "pass_rate_2", "aider:polyglot"),
    ("edit_leaderboard.csv", "edit:medium", "pass_rate_2", "aider:edit"),
    ("refactor_leaderboard.csv", "refactor:hard", "pass_rate_1", "aider:refactor"),
)

# One row per (file, model, edit_format): the configuration a router would send by default
# (no extra thinking budget; default reasoning effort where the leaderboard lists several).
AIDER_MAP: dict[tuple[str, str, str], str] = {
    ("polyglot_leaderboard.csv", "gpt-5 (medium)", "diff"): "openai/gpt-5",
    ("polyglot_leaderboard.csv", "gpt-4.1", "diff"): "openai/gpt-4.1",
    ("polyglot_leaderboard.csv", "gpt-4.1-mini", "diff"): "openai/gpt-4.1-mini",
    ("polyglot_leaderboard.csv", "gpt-4.1-nano", "whole"): "openai/gpt-4.1-nano",
    ("polyglot_leaderboard.csv", "gpt-4o-2024-08-06", "diff"): "openai/gpt-4o",
    ("polyglot_leaderboard.csv", "gpt-4o-mini-2024-07-18", "whole"): "openai/gpt-4o-mini",
    ("polyglot_leaderboard.csv", "o3", "diff"): "openai/o3",
    ("polyglot_leaderboard.csv", "o4-mini (high)", "diff"): "openai/o4-mini",
    ("polyglot_leaderboard.csv", "gpt-oss-120b (high)", "diff"): "openrouter/openai/gpt-oss-120b",
    ("polyglot_leaderboard.csv", "claude-opus-4-20250514 (no think)", "diff"): (
        "anthropic/claude-opus-4-20250514"
    ),
    ("polyglot_leaderboard.csv", "claude-sonnet-4-20250514 (no thinking)", "diff"): (
        "anthropic/claude-sonnet-4-20250514"
    ),
    ("polyglot_leaderboard.csv", "claude-3-7-sonnet-20250219 (no thinking)", "diff"): (
        "anthropic/claude-3-7-sonnet-20250219"
    ),
    ("polyglot_leaderboard.csv", "claude-3-5-haiku-20241022", "diff"): "anthropic/claude-3-5-haiku-20241022",
    ("polyglot_leaderboard.csv", "gemini-2.5-pro-preview-06-05 (default think)", "diff-fenced"): (
        "google/gemini-2.5-pro"
    ),
    (
        "polyglot_leaderboard.csv",
        "gemini-2.5-flash-preview-05-20 (no think)",
        "diff",
    ): "google/gemini-2.5-flash",
    ("polyglot_leaderboard.csv", "DeepSeek-V3.2-Exp (Chat)", "diff"): "deepseek/deepseek-chat",
    ("polyglot_leaderboard.csv", "DeepSeek-V3.2-Exp (Reasoner)", "diff"): "deepseek/deepseek-reasoner",
    ("polyglot_leaderboard.csv", "grok-4 (high)", "diff"): "xai/grok-4",
    ("polyglot_leaderboard.csv", "Grok 3 Mini Beta (high)", "whole"): "xai/grok-3-mini",
    ("polyglot_leaderboard.csv", "Kimi K2", "diff"): "openrouter/moonshotai/kimi-k2",
    ("polyglot_leaderboard.csv", "Qwen3 32B", "diff"): "openrouter/qwen/qwen3-32b",
    ("polyglot_leaderboard.csv", "Qwen3 235B A22B diff, no think, Alibaba API", "diff"): (
        "openrouter/qwen/qwen3-235b-a22b"
    ),
    ("polyglot_leaderboard.csv", "Qwen2.5-Coder-32B-Instruct", "whole"): (
        "openrouter/qwen/qwen-2.5-coder-32b-instruct"
    ),
    ("polyglot_leaderboard.csv", "Llama 4 Maverick", "whole"): "openrouter/meta-llama/llama-4-maverick",
    ("polyglot_leaderboard.csv", "gemma-3-27b-it", "whole"): "openrouter/google/gemma-3-27b-it",
    ("polyglot_leaderboard.csv", "Codestral 25.01", "whole"): "mistral/codestral-latest",
    ("edit_leaderboard.csv", "gpt-4o-2024-08-06", "diff"): "openai/gpt-4o",
    ("edit_leaderboard.csv", "gpt-4o-mini", "whole"): "openai/gpt-4o-mini",
    ("edit_leaderboard.csv", "claude-3-5-haiku-20241022", "diff"): "anthropic/claude-3-5-haiku-20241022",
    ("edit_leaderboard.csv", "gemini-2.0-flash-exp", "diff"): "google/gemini-2.0-flash",
    ("edit_leaderboard.csv", "Mistral Large (2411)", "diff"): "mistral/mistral-large-latest",
    (
        "edit_leaderboard.csv",
        "Qwen2.5-Coder-32B-Instruct",
        "diff",
    ): "openrouter/qwen/qwen-2.5-coder-32b-instruct",
    (
        "edit_leaderboard.csv",
        "llama-3.3-70b-instruct",
        "diff",
    ): "openrouter/meta-llama/llama-3.3-70b-instruct",
    (
        "edit_leaderboard.csv",
        "llama-3.1-70b-instruct",
        "whole",
    ): "openrouter/meta-llama/llama-3.1-70b-instruct",
    ("edit_leaderboard.csv", "llama-3.1-8b-instruct", "whole"): "openrouter/meta-llama/llama-3.1-8b-instruct",
    ("refactor_leaderboard.csv", "gpt-4o-2024-08-06", "diff"): "openai/gpt-4o",
}

# ---- Outcome matrices: source model name -> catalog id, and task -> cells by solve share ----

ULAB_MAP: dict[str, str] = {
    "qwen2.5-7b-instruct": "openrouter/qwen/qwen-2.5-7b-instruct",
    "gemma-2-9b-it": "openrouter/google/gemma-2-9b-it",
    "llama-3.1-8b-instruct": "openrouter/meta-llama/llama-3.1-8b-instruct",
    "mistral-7b-instruct-v0.3": "openrouter/mistralai/mistral-7b-instruct-v0.3",
    "llama-3.3-nemotron-super-49b-v1": "openrouter/nvidia/llama-3.3-nemotron-super-49b-v1",
}
ROUTERBENCH_MAP: dict[str, str] = {
    "mistralai/mixtral-8x7b-chat": "openrouter/mistralai/mixtral-8x7b-instruct",
}

# task -> (cell when at least half of the source's models solve the prompt, cell otherwise)
TASK_CELLS: dict[str, tuple[str, str]] = {
    "mbpp": ("implement:easy", "implement:medium"),
    "human_eval": ("implement:easy", "implement:medium"),
    "gsm8k": ("math:easy", "math:medium"),
    "math": ("math:medium", "math:hard"),
    "mmlu": ("general:easy", "general:medium"),
    "arc_challenge": ("general:easy", "general:medium"),
    "commonsense_qa": ("general:easy", "general:medium"),
    "openbook_qa": ("general:easy", "general:medium"),
    "gpqa": ("general:hard", "general:hard"),
    "winogrande": ("general:easy", "general:medium"),
}
EASY_SHARE = 0.5


@dataclass
class Acc:
    """Evidence being summed for one (model, cell)."""

    n: float = 0.0
    k: float = 0.0
    cost_n: float = 0.0  # trials that reported a cost
    cost_sum: float = 0.0
    tok_n: float = 0.0
    prompt_sum: float = 0.0
    completion_sum: float = 0.0
    lat_n: float = 0.0
    lat_sum: float = 0.0
    sources: list[str] = field(default_factory=list)
    last_run: str = ""

    def stats(self, model: str, cell: str) -> CellStats:
        return CellStats(
            model=model,
            cell=cell,
            trials=round(self.n, 4),
            successes=round(self.k, 4),
            mean_cost=round(self.cost_sum / self.cost_n, 8) if self.cost_n else None,
            mean_prompt_tokens=round(self.prompt_sum / self.tok_n, 1) if self.tok_n else None,
            mean_completion_tokens=round(self.completion_sum / self.tok_n, 1) if self.tok_n else None,
            latency_ms=round(self.lat_sum / self.lat_n, 1) if self.lat_n else None,
            sources=tuple(sorted(self.sources)),
            last_run=self.last_run or None,
        )


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def aider_rows(data: Path, acc: dict[tuple[str, str], Acc]) -> set[tuple[str, str, str]]:
    """Add the mapped Aider rows; returns the mapping keys that were found."""
    found: set[tuple[str, str, str]] = set()
    for fname, cell, rate_col, label in AIDER_FILES:
        with (data / "aider_leaderboards" / fname).open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                key = (fname, row["model"].strip(), row["edit_format"].strip())
                model = AIDER_MAP.get(key)
                rate, n = _float(row.get(rate_col)), _float(row.get("test_cases"))
                if model is None or rate is None or not n:
                    continue
                if key in found:
                    raise SystemExit(f"ambiguous Aider mapping: {key} matches more than one row")
                found.add(key)
                a = acc.setdefault((model, cell), Acc())
                a.n += n
                a.k += rate / 100.0 * n
                cost = _float(row.get("total_cost"))
                if cost:  # 0.0 means a free/preview endpoint, not a cheap run: unknown
                    a.cost_n += n
                    a.cost_sum += cost
                prompt, completion = _float(row.get("prompt_tokens")), _float(row.get("completion_tokens"))
                if prompt and completion:
                    a.tok_n += n
                    a.prompt_sum += prompt
                    a.completion_sum += completion
                secs = _float(row.get("seconds_per_case"))
                if secs:
                    a.lat_n += n
                    a.lat_sum += secs * 1000 * n
                date = row.get("date", "")
                a.sources.append(
                    f"{label} {row['dirname']} ({row['model']}, {row['edit_format']}, "
                    f"{rate_col}={rate}, n={n:g}, {date})"
                )
                a.last_run = max(a.last_run, date)
    return found


def _add_matrix(
    acc: dict[tuple[str, str], Acc],
    label: str,
    rows: Iterable[tuple[str, dict[str, float], dict[str, float]]],
    mapping: dict[str, str],
    last_run: str,
) -> None:
    """rows: (task, {source model: score 0..1}, {source model: cost USD}) per prompt."""
    counts: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for task, scores, costs in rows:
        cells = TASK_CELLS.get(task)
        if cells is None or not scores:
            continue
        share = sum(1.0 for v in scores.values() if v >= 0.5) / len(scores)
        cell = cells[0] if share >= EASY_SHARE else cells[1]
        for src, model in mapping.items():
            if src not in scores:
                continue
            c = counts[(model, cell, task)]
            c[0] += 1
            c[1] += scores[src]
            if src in costs:
                c[2] += 1
                c[3] += costs[src]
    for (model, cell, task), (n, k, cn, cs) in sorted(counts.items()):
        a = acc.setdefault((model, cell), Acc())
        a.n += n
        a.k += k
        a.cost_n += cn
        a.cost_sum += cs
        a.sources.append(f"{label}:{task} (n={n:g}, solved={k:g})")
        a.last_run = max(a.last_run, last_run)


def ulab_rows(data: Path) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    path = data / "llmrouter_ulab" / "dcrouter_matrix_with_task.csv"
    csv.field_size_limit(sys.maxsize)
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        models = [c for c in reader.fieldnames or [] if c not in ("split", "idx", "task_name", "question")]
        for row in reader:
            scores = {m: float(row[m]) for m in models if row[m] not in ("", None)}
            out.append((row["task_name"], scores, {}))
    return out


def routerbench_rows(data: Path) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    folder = data / "routerbench_subset_routerdc"
    csv.field_size_limit(sys.maxsize)
    out = []
    for fname, task in (
        ("mbpp_train.csv", "mbpp"),
        ("arc_challenge_train.csv", "arc_challenge"),
        ("arc_challenge_test.csv", "arc_challenge"),
        ("winograde_train.csv", "winogrande"),
        ("winograde_test.csv", "winogrande"),
    ):
        path = folder / fname
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            names = reader.fieldnames or []
            models = [c for c in names if "|" not in c and c not in ("", "sample_id", "prompt", "eval_name")]
            models = [m for m in models if m != "oracle_model_to_route_to"]
            for row in reader:
                scores = {m: float(row[m]) for m in models if row.get(m) not in ("", None)}
                costs = {
                    m: float(row[f"{m}|total_cost"])
                    for m in models
                    if row.get(f"{m}|total_cost") not in ("", None)
                }
                out.append((task, scores, costs))
    return out


def catalog_ids(path: Path) -> set[str] | None:
    if not path.is_file():
        return None
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    return {m["id"] for m in doc.get("models", []) if isinstance(m, dict) and "id" in m}


def build(data: Path, catalog: set[str] | None) -> tuple[Snapshot, list[str]]:
    acc: dict[tuple[str, str], Acc] = {}
    found = aider_rows(data, acc)
    missing = sorted(set(AIDER_MAP) - found)
    if missing:
        raise SystemExit(f"Aider rows in the mapping table not found in the data: {missing}")
    # ulab snapshot commit 2025-12-04, RouterDC commit 2025-02-25: dates of the published data.
    _add_matrix(acc, "llmrouter_ulab", ulab_rows(data), ULAB_MAP, "2025-12-04")
    _add_matrix(acc, "routerbench_0shot", routerbench_rows(data), ROUTERBENCH_MAP, "2025-02-25")
    dropped: list[str] = []
    stats = []
    for (model, cell), a in sorted(acc.items()):
        if catalog is not None and model not in catalog:
            dropped.append(model)
            continue
        stats.append(a.stats(model, cell))
    newest = max((s.last_run or "" for s in stats), default="")
    snap = Snapshot.from_stats(
        stats,
        created=newest,
        description=(
            "Default benchroute leaderboard from public results: Aider polyglot/edit/refactor leaderboards, "
            "LLMRouter (ulab-uiuc) outcome matrix, RouterBench 0-shot subset (RouterDC). "
            "Built by scripts/build_leaderboard.py; mapping in docs/routing.md."
        ),
    )
    return snap, sorted(set(dropped))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--catalog", type=Path, default=CATALOG, help="only keep ids of this catalog.toml")
    args = ap.parse_args(argv)
    snap, dropped = build(args.data, catalog_ids(args.catalog))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(snap.to_json() + b"\n")
    print(
        f"wrote {args.out}: {len(snap.cells)} cells, {len(snap.models())} models, "
        f"{len(snap.cell_ids())} cell ids"
    )
    if dropped:
        print(f"not in the catalog, left out: {', '.join(dropped)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
