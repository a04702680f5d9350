"""`plan` (plan): plan an Aider polyglot exercise before writing code, as JSON checked against a schema.

Source: github.com/Aider-AI/polyglot-benchmark, exercises from Exercism (MIT), read from
`aider_polyglot_exercises/exercises.jsonl`. The schema requires the exercise's solution files among
the planned files. Difficulty comes from Exercism's 1-10 rating (up to 3 easy, up to 6 medium).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from benchroute.bench.tasks import Task

from .common import Source, by_count, read_jsonl

AIDER_POLYGLOT = Source("Aider-AI/polyglot-benchmark (Exercism exercises)", "MIT")


def solution_files(row: dict[str, Any]) -> list[str]:
    """The exercise's solution file names (stored as a list or as its Python repr)."""
    raw = row.get("solution_files") or []
    return [f for f in (ast.literal_eval(raw) if isinstance(raw, str) else raw) if isinstance(f, str)]


def plan_schema(files: list[str]) -> dict[str, Any]:
    """The JSON schema a plan must satisfy; it must name every file in `files`."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["summary", "steps", "files", "tests", "risks"],
        "properties": {
            "summary": {"type": "string", "minLength": 10},
            "steps": {
                "type": "array",
                "minItems": 3,
                "maxItems": 15,
                "items": {
                    "type": "object",
                    "required": ["title", "detail"],
                    "properties": {
                        "title": {"type": "string", "minLength": 3},
                        "detail": {"type": "string", "minLength": 10},
                    },
                },
            },
            "files": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "tests": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "risks": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
    }
    if files:
        schema["properties"]["files"]["allOf"] = [{"contains": {"const": f}} for f in files]
    return schema


def _plan(row: dict[str, Any]) -> Task:
    files = solution_files(row)
    lang = row["language"]
    instructions = (row["instructions"] + "\n" + (row.get("instructions_append") or "")).strip()
    reference = {
        "summary": f"Implement {row['name']} in {lang}.",
        "steps": [{"title": f"Step {i}", "detail": "Do the next part of the work."} for i in (1, 2, 3)],
        "files": files or ["solution"],
        "tests": ["the examples in the instructions", "edge cases"],
        "risks": ["misreading the edge cases"],
    }
    return AIDER_POLYGLOT.task(
        id=f"plan/{lang}/{row['slug']}",
        suite="plan",
        task_type="plan",
        difficulty=by_count(int(row.get("exercism_difficulty") or 5), 3, 6),
        prompt=(
            f"Before any code is written, plan the implementation of this {lang} exercise. The "
            f"solution goes in these files: {', '.join(files) or '(your choice)'}.\n\n"
            f"{instructions}\n\n"
            'Reply with JSON only, in this shape: {"summary": str, "steps": [{"title": str, '
            '"detail": str}, ...3 to 15 steps], "files": [every file you will touch, by name], '
            '"tests": [at least 2 test cases to write], "risks": [str, ...]}'
        ),
        checker={"kind": "json_schema", "schema": plan_schema(files)},
        reference="```json\n" + json.dumps(reference) + "\n```",
    )


def plan_tasks(data: Path) -> list[Task]:
    """`plan`: one planning task per exercise."""
    return [_plan(row) for row in read_jsonl(data / "aider_polyglot_exercises" / "exercises.jsonl")]
