"""The hand-written everyday requests as labelled records.

The file is tests/routing_classifier/data/everyday_requests.jsonl (not tests/data, which holds only
slices of public data with their provenance).

Each line holds a request as a person typed it (`text`), the client that sent it, an optional
Kilo mode (or Claude Code / Codex plan mode) and optional tool results the agent saw; this module
wraps it in that client's shape (`reqset.written.request_of`) so it is measured exactly like the request
set. The texts are not generated from the training templates.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from benchroute.train.reqset.written import request_of


def load(path: Path) -> list[dict[str, Any]]:
    """Records in the request-set format (split "everyday")."""
    rng = random.Random(0)
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            out.append(
                {
                    "id": f"everyday/{row['id']}",
                    "source": "everyday",
                    "template": "everyday",
                    "group": "everyday",
                    "split": "everyday",
                    "client": row.get("client", "sdk"),
                    "language": row.get("language", "none"),
                    "task_type": row["task_type"],
                    "subtype": row.get("subtype", ""),
                    "difficulty": row["difficulty"],
                    "context": "tool" if row.get("tool_results") else "none",
                    "provenance": "hand-written (benchroute team)",
                    "request": request_of(row, rng),
                }
            )
    return out
