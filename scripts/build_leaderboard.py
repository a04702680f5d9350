#!/usr/bin/env python3
"""Build the shipped leaderboard, src/benchroute/data/leaderboard.json, from public results.

Every source row is mapped onto a catalog id by an explicit table below (rows not in a table are
left out) and onto a route with its setting (agent harness or single-turn):

  openhands_index/  SWE-bench Verified -> debug, SWE-bench Multimodal -> debug (front-end),
                    SWT-bench -> tests, commit0 -> implement      (agent: OpenHands)
  gso_bench/        performance optimisation in real repos -> refactor          (agent: OpenHands)
  terminal_bench_2/ the terminus-2 harness's rows -> command                      (agent)
  aider_leaderboards/ polyglot -> implement, edit -> implement, refactor -> refactor (single-turn)

Not used for accuracy: GAIA (not coding), BFCL V4 and tau2-bench (tool-calling reliability of a
model, not coding success; docs/routing.md), SWT-bench's leaderboard (rows are systems, not
models), the other Terminal-Bench harnesses and the OpenHands alternative agents (one harness per
benchmark keeps the difficulty comparable), Aider's unmerged community runs (not verified), and
the MMLU/GSM8K/ARC outcome matrices (general knowledge and maths: no coding request is routed on
them). Nothing under a non-commercial license is read.

One measurement model is fitted over all rows (benchroute.leaderboard.fit): every cell of every
model gets A with a 90% interval, single-turn and as an agent, and the tasks behind it.
The output depends only on the input files: rerun it and the bytes are identical.

    python scripts/build_leaderboard.py [--data ../shared/data] [--out src/benchroute/data/leaderboard.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from benchroute.leaderboard.build import snapshot_from_fit
from benchroute.leaderboard.fit import Observation, fit_empirical

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "benchroute" / "data" / "leaderboard.json"

OPENHANDS_MAP: dict[str, str] = {
    "DeepSeek-V3.2-Reasoner": "deepseek/deepseek-reasoner",
    "DeepSeek-V4-Pro": "deepseek/deepseek-v4-pro",
    "GLM-4.7": "openrouter/z-ai/glm-4.7",
    "GLM-5": "openrouter/z-ai/glm-5",
    "GLM-5.1": "openrouter/z-ai/glm-5.1",
    "GPT-5.2": "openai/gpt-5.2",
    "GPT-5.4": "openai/gpt-5.4",
    "GPT-5.5": "openai/gpt-5.5",
    "Gemini-3-Flash": "google/gemini-3-flash-preview",
    "Gemini-3.1-Pro": "google/gemini-3.1-pro-preview",
    "Gemini-3.5-Flash": "google/gemini-3.5-flash",
    "Kimi-K2-Thinking": "openrouter/moonshotai/kimi-k2-thinking",
    "Kimi-K2.5": "openrouter/moonshotai/kimi-k2.5",
    "Kimi-K2.6": "openrouter/moonshotai/kimi-k2.6",
    "MiniMax-M2.1": "openrouter/minimax/minimax-m2.1",
    "MiniMax-M2.5": "openrouter/minimax/minimax-m2.5",
    "MiniMax-M2.7": "openrouter/minimax/minimax-m2.7",
    "MiniMax-M3": "openrouter/minimax/minimax-m3",
    "Nemotron-3-Nano": "openrouter/nvidia/nemotron-3-nano-30b-a3b",
    "Nemotron-3-Super": "openrouter/nvidia/nemotron-3-super-120b-a12b",
    "Qwen3-Coder-480B": "openrouter/qwen/qwen3-coder",
    "Qwen3-Coder-Next": "openrouter/qwen/qwen3-coder-next",
    "Qwen3.5-Flash": "openrouter/qwen/qwen3.5-flash-02-23",
    "Qwen3.6-Plus": "openrouter/qwen/qwen3.6-plus",
    "Trinity-Large-Thinking": "openrouter/arcee-ai/trinity-large-thinking",
    "claude-fable-5": "anthropic/claude-fable-5",
    "claude-opus-4-5": "anthropic/claude-opus-4-5",
    "claude-opus-4-6": "anthropic/claude-opus-4-6",
    "claude-opus-4-7": "anthropic/claude-opus-4-7",
    "claude-opus-4-8": "anthropic/claude-opus-4-8",
    "claude-sonnet-4-5": "anthropic/claude-sonnet-4-5",
    "claude-sonnet-4-6": "anthropic/claude-sonnet-4-6",
}
# benchmark -> (route, standard task count when the per-instance file is absent)
OPENHANDS_BENCH: dict[str, tuple[str, int]] = {
    "swe-bench": ("debug", 500),
    "swe-bench-multimodal": ("debug", 68),
    "swt-bench": ("tests", 433),
    "commit0": ("implement", 16),
}
GSO_MAP: dict[str, str] = {
    "claude-opus-4": "anthropic/claude-opus-4-20250514",
    "claude-opus-4.5": "anthropic/claude-opus-4-5",
    "claude-opus-4.6": "anthropic/claude-opus-4-6",
    "claude-opus-4.6-high": "anthropic/claude-opus-4-6@high",
    "claude-opus-4.7": "anthropic/claude-opus-4-7",
    "claude-sonnet-4": "anthropic/claude-sonnet-4-20250514",
    "claude-sonnet-4.5": "anthropic/claude-sonnet-4-5",
    "gemini-2.5-pro": "google/gemini-2.5-pro",
    "gemini-3-flash": "google/gemini-3-flash-preview",
    "gemini-3.1-pro": "google/gemini-3.1-pro-preview",
    "gpt-5": "openai/gpt-5",
    "gpt-5.1": "openai/gpt-5.1",
    "gpt-5.2": "openai/gpt-5.2",
    "gpt-5.4-high": "openai/gpt-5.4@high",
    "gpt-5.4-xhigh": "openai/gpt-5.4@xhigh",
    "gpt-5.5-xhigh": "openai/gpt-5.5@xhigh",
    "o3": "openai/o3",
    "kimi-k2": "openrouter/moonshotai/kimi-k2",
    "glm-4.5": "openrouter/z-ai/glm-4.5",
    "qwen3-coder": "openrouter/qwen/qwen3-coder",
}
TB2_HARNESS = "terminus-2"
TB2_MAP: dict[str, str] = {
    "gpt-5": "openai/gpt-5",
    "gpt-5-mini": "openai/gpt-5-mini",
    "gpt-5-nano": "openai/gpt-5-nano",
    "claude-sonnet-4-5-20250929": "anthropic/claude-sonnet-4-5",
    "claude-opus-4-1-20250805": "anthropic/claude-opus-4-1",
    "claude-haiku-4-5-20251001": "anthropic/claude-haiku-4-5",
    "gemini-2.5-pro": "google/gemini-2.5-pro",
    "gemini-2.5-flash": "google/gemini-2.5-flash",
    "accounts/fireworks/models/minimax-m2": "openrouter/minimax/minimax-m2",
    "moonshotai/Kimi-K2-Instruct-0905": "openrouter/moonshotai/kimi-k2-0905",
    "Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8": "openrouter/qwen/qwen3-coder",
    "accounts/fireworks/models/glm-4p6": "openrouter/z-ai/glm-4.6",
    "grok-4-0709": "xai/grok-4",
    "grok-code-fast-1": "xai/grok-code-fast-1",
    "openai/gpt-oss-120b": "openrouter/openai/gpt-oss-120b",
    "openai/gpt-oss-20b": "openrouter/openai/gpt-oss-20b",
}
AIDER_FILES = (
    ("polyglot_leaderboard.csv", "implement", "pass_rate_2", "aider:polyglot"),
    ("edit_leaderboard.csv", "implement", "pass_rate_2", "aider:edit"),
    ("refactor_leaderboard.csv", "refactor", "pass_rate_1", "aider:refactor"),
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


def openhands(data: Path) -> list[Observation]:
    out: list[Observation] = []
    root = data / "openhands_index" / "results"
    for name, model in sorted(OPENHANDS_MAP.items()):
        scores = json.loads((root / name / "scores.json").read_text())
        for row in scores:
            bench = row["benchmark"]
            if bench not in OPENHANDS_BENCH or row.get("score") is None:
                continue
            route, standard = OPENHANDS_BENCH[bench]
            n, k = float(standard), float(row["score"]) / 100 * standard
            per_instance = root / name / "instance_results" / f"{bench}.json"
            if per_instance.is_file():
                graded = [
                    v for v in json.loads(per_instance.read_text()).values() if v.get("resolved") is not None
                ]
                n, k = float(len(graded)), float(sum(1 for v in graded if v["resolved"]))
            date = str(row.get("submission_time", ""))[:10]
            version = row.get("agent_version", "")
            source = f"openhands:{bench} {name} score={row['score']} n={int(n)} ({version}, {date})"
            out.append(
                Observation(
                    model,
                    f"openhands:{bench}",
                    route,
                    True,
                    n,
                    round(k, 3),
                    source,
                    date,
                    row.get("cost_per_instance"),
                )
            )
    return out


def gso(data: Path) -> list[Observation]:
    out: list[Observation] = []
    for name, model in sorted(GSO_MAP.items()):
        summary = json.loads((data / "gso_bench" / "results" / "reports" / f"{name}.json").read_text())[
            "summary"
        ]
        n, k = float(summary["total_instances"]), float(summary["opt_commit"])
        source = f"gso:opt@1 {name} score={summary['score']} n={int(n)}"
        out.append(Observation(model, "gso:opt@1", "refactor", True, n, k, source))
    return out


def terminal_bench(data: Path) -> list[Observation]:
    out: list[Observation] = []
    path = data / "terminal_bench_2" / "tb2_agent_model_leaderboard_from_notebook.csv"
    for row in csv.DictReader(path.open()):
        model = TB2_MAP.get(row["model_name"])
        if row["agent_name"] != TB2_HARNESS or model is None:
            continue
        n = float(row["n_tasks"])
        k = round(float(row["accuracy"]) / 100 * n, 3)
        source = f"terminal-bench-2 {TB2_HARNESS} {row['model_name']} accuracy={row['accuracy']} n={int(n)}"
        out.append(Observation(model, f"tb2:{TB2_HARNESS}", "command", True, n, k, source, "2025-11-04"))
    return out


def aider(data: Path) -> list[Observation]:
    out: list[Observation] = []
    for file, route, column, label in AIDER_FILES:
        for row in csv.DictReader((data / "aider_leaderboards" / file).open()):
            model = AIDER_MAP.get((file, row["model"], row["edit_format"]))
            if model is None:
                continue
            n = float(row["test_cases"])
            k = round(float(row[column]) / 100 * n, 3)
            what = f"{row['model']}, {row['edit_format']}, {column}={row[column]}, n={int(n)}, {row['date']}"
            source = f"{label} {row['dirname']} ({what})"
            out.append(Observation(model, label, route, False, n, k, source, row["date"]))
    return out


def observations(data: Path) -> list[Observation]:
    return [*openhands(data), *gso(data), *terminal_bench(data), *aider(data)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    obs = observations(args.data)
    result = fit_empirical(obs)
    print(f"priors: route sd {result.priors.route_sd}, agent sd {result.priors.agent_sd}")
    snapshot = snapshot_from_fit(
        result,
        obs,
        created="2026-07-01",
        description=(
            "Default benchroute leaderboard: one measurement model (leaderboard/fit.py) over "
            "OpenHands Index, "
            "GSO, Terminal-Bench 2.0 (terminus-2) and Aider polyglot/edit/refactor results. Built by "
            "scripts/build_leaderboard.py; mapping and model in docs/routing.md."
        ),
    )
    args.out.write_bytes(snapshot.to_json() + b"\n")
    print(
        f"wrote {len(snapshot.cells)} cells for {len(snapshot.models())} models "
        f"from {len(obs)} results to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
