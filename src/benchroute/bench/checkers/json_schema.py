"""`json_schema`: the answer contains a JSON document valid against the task's schema.

Spec: `{"kind": "json_schema", "schema": {…}}` (JSON Schema draft 2020-12).
"""

from __future__ import annotations

import orjson

from benchroute.bench.checkers.base import CheckResult
from benchroute.bench.extract import extract_json_text
from benchroute.bench.tasks import Task


class JsonSchemaChecker:
    kind = "json_schema"

    async def check(self, task: Task, answer: str) -> CheckResult:
        import jsonschema

        schema = task.checker.get("schema") or {}
        text = extract_json_text(answer)
        if text is None:
            return CheckResult.fail(self.kind, "no JSON document in the answer")
        document = orjson.loads(text)
        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.path) or "(root)"
            return CheckResult.fail(
                self.kind, f"{len(errors)} schema error(s); {where}: {first.message[:200]}"
            )
        return CheckResult.ok(self.kind)
