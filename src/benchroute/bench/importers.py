"""Import outside evidence: outcome JSONL (DESIGN.md format) -> BenchResults, and the Aider
leaderboard files (YAML or CSV) -> CellStats, with model names mapped onto catalog ids."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from benchroute.leaderboard.snapshot import CellStats
from benchroute.routing.taxonomy import DIFFICULTIES, LEGACY_TASK_TYPES, TASK_TYPES
from benchroute.store.base import BenchResult

# Aider board (file stem) -> the leaderboard cell its exercises measure.
AIDER_BOARD_CELLS: dict[str, str] = {
    "polyglot_leaderboard": "implement:hard",  # 225 hardest Exercism exercises, 6 languages
    "o1_polyglot_leaderboard": "implement:hard",
    "qwen3_leaderboard": "implement:hard",
    "deepseek-down": "implement:hard",
    "r1_architect": "implement:hard",
    "edit_leaderboard": "implement:medium",  # 133 Exercism Python exercises edited in place
    "code-in-json": "implement:medium",
    "quant": "implement:medium",
    "sonnet-fine": "implement:medium",
    "o1_results": "implement:medium",
    "architect": "implement:medium",
    "qwq": "implement:hard",
    "refactor_leaderboard": "refactor:hard",  # 89 large real-world methods moved out of classes
}

_PREFIXES = ("openrouter/", "anthropic/", "openai/", "gemini/", "deepseek/", "mistral/", "groq/", "xai/")


def _key(name: str) -> str:
    name = name.strip().lower()
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if name.startswith(prefix):
                name, changed = name[len(prefix) :], True
    name = re.sub(r"\s*\(.*?\)\s*", "", name)  # "o3-mini (high)" -> "o3-mini"
    return re.sub(r"[\s_]+", "-", name)


def _undated(key: str) -> str:
    """Drop a release-date suffix: "gpt-4o-mini-2024-07-18" / "claude-3-opus-20240229"."""
    return re.sub(r"-(?:\d{4}-\d{2}-\d{2}|\d{8})$", "", key)


def map_model(name: str, mapping: Mapping[str, str], catalog_ids: Iterable[str] = ()) -> str | None:
    """A catalog id for an outside model name: the mapping table first (exact, then normalised),
    then a catalog id equal to the name or whose model part (after `provider/`) matches it."""
    if name in mapping:
        return mapping[name]
    key = _key(name)
    for outside, inside in mapping.items():
        if _key(outside) == key:
            return inside
    ids = list(catalog_ids)
    if name in ids:
        return name
    for cid in ids:
        if _key(cid.split("/", 1)[-1]) == key or _key(cid) == key:
            return cid
    for cid in ids:  # same model, one side without its release date
        if _undated(_key(cid.split("/", 1)[-1])) == _undated(key):
            return cid
    return None


# ---- outcome JSONL ---------------------------------------------------------------------------


def import_outcomes(
    path: str | Path,
    *,
    suite: str,
    mapping: Mapping[str, str] | None = None,
    catalog_ids: Iterable[str] = (),
    default_task_type: str = "general",
    default_difficulty: str = "medium",
    pass_mark: float = 0.5,
    source: str = "",
) -> tuple[list[BenchResult], set[str]]:
    """Results for every (prompt, model) outcome; also the model names that could not be mapped."""
    mapping = mapping or {}
    ids = list(catalog_ids)
    unmapped: set[str] = set()
    results: list[BenchResult] = []
    stamp = datetime.fromtimestamp(Path(path).stat().st_mtime, UTC)
    with Path(path).open("rb") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row: dict[str, Any] = orjson.loads(line)
            task_type = row.get("task_type") or default_task_type
            task_type = LEGACY_TASK_TYPES.get(task_type, task_type)  # old files: edit, math
            difficulty = row.get("difficulty") or default_difficulty
            if task_type not in TASK_TYPES or difficulty not in DIFFICULTIES:
                raise ValueError(f"{path}:{line_no}: bad cell {task_type}:{difficulty}")
            for name, outcome in (row.get("outcomes") or {}).items():
                model = map_model(name, mapping, ids) if (mapping or ids) else name
                if model is None:
                    unmapped.add(name)
                    continue
                score = float(outcome.get("score", 0.0))
                results.append(
                    BenchResult(
                        run_id=f"import:{Path(path).name}",
                        suite=suite,
                        task_id=str(row.get("id", line_no)),
                        model=model,
                        provider="import",
                        task_type=task_type,
                        difficulty=difficulty,
                        score=score,
                        passed=score >= pass_mark,
                        prompt_tokens=int(outcome.get("prompt_tokens", 0)),
                        completion_tokens=int(outcome.get("completion_tokens", 0)),
                        cost_usd=float(outcome.get("cost") or 0.0),
                        latency_ms=float(outcome.get("latency_ms", 0.0)),
                        time=stamp,
                        checker="import",
                        source=source or f"outcomes:{Path(path).name}",
                    )
                )
    return results, unmapped


# ---- Aider leaderboards ----------------------------------------------------------------------


def read_aider_rows(path: str | Path) -> list[dict[str, Any]]:
    """Rows of an Aider leaderboard file (`.yml`/`.yaml` needs PyYAML; `.csv` does not)."""
    path = Path(path)
    if path.suffix in (".yml", ".yaml"):
        import yaml

        rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return [dict(r) for r in rows if isinstance(r, dict)]
    with path.open(newline="", encoding="utf-8") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def aider_stats(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    catalog_ids: Iterable[str] = (),
    cell: str | None = None,
) -> tuple[list[CellStats], set[str]]:
    """One CellStats per model (its best run on the board) and the unmapped model names.

    trials = test cases, successes = pass rate (second try when the board has it) x trials,
    mean cost = total cost / test cases; sources `aider:<board> <date>`.
    """
    path = Path(path)
    board = path.stem
    cell = cell or AIDER_BOARD_CELLS.get(board)
    if cell is None:
        raise ValueError(f"unknown Aider board {board!r}: pass cell=")
    mapping = mapping or {}
    ids = list(catalog_ids)
    best: dict[str, CellStats] = {}
    unmapped: set[str] = set()
    for row in read_aider_rows(path):
        name = str(row.get("model") or "").strip()
        cases = _float(row.get("test_cases"))
        rate = _float(row.get("pass_rate_2"))
        if rate is None:
            rate = _float(row.get("pass_rate_1"))
        if not name or not cases or rate is None:
            continue
        model = map_model(name, mapping, ids) if (mapping or ids) else name
        if model is None:
            unmapped.add(name)
            continue
        cost = _float(row.get("total_cost"))
        seconds = _float(row.get("seconds_per_case"))
        date = str(row.get("date") or "")[:10] or None
        stats = CellStats(
            model=model,
            cell=cell,
            trials=cases,
            successes=round(rate / 100 * cases, 3),
            mean_cost=cost / cases if cost else None,
            latency_ms=seconds * 1000 if seconds else None,
            sources=(f"aider:{board} {date or ''}".strip(),),
            last_run=date,
        )
        current = best.get(model)
        if current is None or stats.accuracy > current.accuracy:
            best[model] = stats
    return list(best.values()), unmapped
