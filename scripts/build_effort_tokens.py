#!/usr/bin/env python3
"""Build src/benchroute/data/effort_tokens.json: how many completion tokens a reasoning variant
("openai/gpt-5.4@xhigh") bills, as a factor of its base model's, per provider family.

Reasoning tokens are billed as output tokens, so a variant's expected cost is the base model's
expected completion tokens times this factor (routing/policy.py, docs/routing.md). The factors come
from public runs of one model on one task set at two reasoning settings, all from Aider's polyglot
leaderboard (aider_leaderboards/polyglot_leaderboard.csv, Apache-2.0; 225 exercises, same harness):

- a *token* pair: both runs report completion tokens (reasoning included): ratio = tokens / tokens.
- a *cost* pair: only the runs' total cost is published. Total cost includes the prompt, which the
  effort hardly changes, so the cost ratio understates the completion-token ratio: it enters as
  that lower bound.

A measured factor is the median (on the log scale: two pairs give their geometric mean) of its
pairs' ratios. What the data do not reach is extrapolated, and the file says so per effort.

What "the base" (a model id without `@effort`) means:
- openai: the default effort of GPT-5 and the o-series, `medium`, the setting of Aider's runs
  without an effort in their name (o3, gpt-5 (medium)). Ladder: low and high measured; minimal one
  measured step (medium/low) below low and xhigh one measured step (high/medium) above high:
  extrapolations; none (no reasoning) is given minimal's factor (no run of an OpenAI model at
  `none` publishes tokens; tau2-bench's GPT-5.2 none-vs-default costs, 0.47-0.67 of the default's,
  bound it from above only), which can only overstate its cost.
- anthropic: no extended thinking (what the Messages API does without `thinking`). high: measured
  (32k thinking budget). minimal / low / medium: extrapolated, thinking tokens in proportion to the
  thinking budget the Messages dialect maps those efforts to (1,024 / 2,048 / 8,192 of 32,000).
  xhigh / max: extrapolated, twice high's thinking tokens.
- every other provider ("*"): OpenAI's ladder (the only measured ladder with a default in the
  middle), base = the provider's default.

Not used (listed in the file under `not_used`): Aider's unmerged community runs (gpt-5-mini and
gpt-5-nano at low / medium / high: not verified; the leaderboard leaves them out too), Gemini's
thinking-budget pairs (no `@effort` names a budget), Grok 3 Mini low vs high (run through two
different providers). GSO, the OpenHands Index and Terminal-Bench 2 publish no run of one model at
two efforts with tokens or cost; nothing under a non-commercial licence is read.
The output depends only on the input file: rerun it and the bytes are identical.

    python scripts/build_effort_tokens.py [--data ../shared/data] [--out PATH]

(default --out: src/benchroute/data/effort_tokens.json)
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "benchroute" / "data" / "effort_tokens.json"
POLYGLOT = "aider_leaderboards/polyglot_leaderboard.csv"

# (family, effort measured, model, base run dirname, variant run dirname) on POLYGLOT.
PAIRS: tuple[tuple[str, str, str, str, str], ...] = (
    ("openai", "low", "gpt-5", "2025-08-25-13-23-27--gpt-5-medium", "2025-08-25-14-16-37--gpt-5-low"),
    ("openai", "high", "gpt-5", "2025-08-25-13-23-27--gpt-5-medium", "2025-08-23-15-47-21--gpt-5-high"),
    (
        "openai",
        "high",
        "o3",
        "2025-06-25-20-30-16--o3-price-reduction",
        "2025-06-25-21-04-24--o3-price-reduction-high",
    ),
    (
        "openai",
        "high",
        "o3-mini",
        "2025-01-31-20-27-46--o3-mini-diff2",
        "2025-01-31-20-42-47--o3-mini-diff-high",
    ),
    (
        "anthropic",
        "high",
        "claude-sonnet-4",
        "2025-05-24-21-17-54--sonnet4-diff-exuser",
        "2025-05-24-22-10-36--sonnet4-diff-exuser-think32k",
    ),
    (
        "anthropic",
        "high",
        "claude-opus-4",
        "2025-05-25-19-57-20--opus4-diff-exuser",
        "2025-05-25-20-40-51--opus4-diff-exuser",
    ),
    (
        "anthropic",
        "high",
        "claude-3-7-sonnet",
        "2025-02-24-19-54-07--sonnet37-diff",
        "2025-02-24-21-47-23--sonnet37-diff-think-32k-64k",
    ),
)
ANTHROPIC_BUDGET = 32_000  # the thinking budget of the measured Claude runs
ANTHROPIC_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192}  # wire/anthropic_request.py
NOT_USED = (
    "aider polyglot, unmerged community runs: gpt-5-mini low/medium/high completion tokens "
    "605,896 / 1,155,662 / 3,464,001, gpt-5-nano 993,987 / 4,039,687 / 8,383,362 (not verified; "
    "their high/medium ratios, 3.00 and 2.08, are above the factor used)",
    "aider polyglot: gemini-2.5-flash no think vs 24k think (5.26x tokens), gemini-2.5-pro default vs "
    "32k think (1.12x): thinking budgets, no effort name",
    "aider polyglot: Grok 3 Mini Beta low vs high: run through two different providers",
    "tau2-bench: GPT-5.2 reasoning none vs default, cost per task 0.47-0.67x (cost includes the "
    "prompt: an upper bound for none)",
)


def _row(path: Path, run: str) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["dirname"] == run:
                return row
    raise SystemExit(f"{path}: no run {run!r}")


def _median_log(values: list[float]) -> float:
    logs = sorted(math.log(v) for v in values)
    n = len(logs)
    mid = logs[n // 2] if n % 2 else (logs[n // 2 - 1] + logs[n // 2]) / 2
    return math.exp(mid)


def _pair(data: Path, spec: tuple[str, str, str, str, str]) -> dict[str, Any]:
    family, effort, model, base_run, run = spec
    path = data / POLYGLOT
    base, var = _row(path, base_run), _row(path, run)
    kind = "tokens" if base["completion_tokens"] and var["completion_tokens"] else "cost"
    col = "completion_tokens" if kind == "tokens" else "total_cost"
    b, v = float(base[col]), float(var[col])
    return {
        "family": family,
        "effort": effort,
        "model": model,
        "source": f"aider:polyglot {base['model']} vs {var['model']}",
        "kind": kind,
        "base": b,
        "variant": v,
        "ratio": round(v / b, 4),
    }


def build(data: Path) -> dict[str, Any]:
    pairs = [_pair(data, spec) for spec in PAIRS]

    def measured(family: str, effort: str) -> float:
        return round(
            _median_log([p["ratio"] for p in pairs if (p["family"], p["effort"]) == (family, effort)]), 3
        )

    low, high = measured("openai", "low"), measured("openai", "high")
    minimal = round(low * low, 3)  # one step of medium/low below low
    xhigh = round(high * high, 3)  # one step of high/medium above high
    openai = {
        "base": "medium",
        "factors": {
            "none": minimal,
            "minimal": minimal,
            "low": low,
            "medium": 1.0,
            "high": high,
            "xhigh": xhigh,
        },
        "how": {
            "none": "extrapolated: minimal's factor (no OpenAI run at none publishes tokens)",
            "minimal": "extrapolated: one measured step (medium/low) below low",
            "low": "measured: median of the openai low pairs",
            "medium": "the base",
            "high": "measured: median of the openai high pairs",
            "xhigh": "extrapolated: one measured step (high/medium) above high",
        },
    }
    a_high = measured("anthropic", "high")
    thinking = a_high - 1.0
    anthropic: dict[str, Any] = {
        "base": "none",
        "factors": {
            "none": 1.0,
            **{e: round(1.0 + thinking * b / ANTHROPIC_BUDGET, 3) for e, b in ANTHROPIC_BUDGETS.items()},
            "high": a_high,
            "xhigh": round(1.0 + 2 * thinking, 3),
            "max": round(1.0 + 2 * thinking, 3),
        },
        "how": {
            "none": "the base: no extended thinking",
            **{
                e: f"extrapolated: high's thinking tokens x {b:,}/{ANTHROPIC_BUDGET:,} (thinking budget)"
                for e, b in ANTHROPIC_BUDGETS.items()
            },
            "high": "measured: median of the anthropic high pairs (32k thinking budget)",
            "xhigh": "extrapolated: twice high's thinking tokens",
            "max": "extrapolated: twice high's thinking tokens",
        },
    }
    other = {
        "base": "the provider's default",
        "factors": {**openai["factors"], "max": xhigh},
        "how": "openai's ladder (the only measured ladder with the default in the middle); max as xhigh",
    }
    return {
        "format": "benchroute-effort/1",
        "description": (
            "Completion tokens of a reasoning variant (model@effort) as a factor of its base model's, "
            "per provider family; built by scripts/build_effort_tokens.py from Aider's polyglot "
            "leaderboard (Apache-2.0)."
        ),
        "families": {"openai": openai, "anthropic": anthropic, "*": other},
        "pairs": pairs,
        "not_used": list(NOT_USED),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    doc = build(args.data)
    args.out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    for name, fam in doc["families"].items():
        print(f"{name:<10} base {fam['base']!r}: {fam['factors']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
