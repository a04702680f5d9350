"""Hand-written whole requests (a person's text, client, mode and tool results) in client shapes.

A line of a written-request file holds what a person typed (`text`), the client that sent it, an
optional Kilo mode (or Claude Code / Codex plan mode), optional tool results the agent saw
({"kind", "arg", "result", "failed"}) and the labels. `request_of` wraps it in a client's shape
(`clients`), so it is measured and trained on exactly like the templates' requests.

`requests_train/*.jsonl` beside this module are train-only written requests: `everyday_a`,
`everyday_c`, the half of the second everyday set written by writers A and C
(tests/routing_classifier/data/everyday_eval2_PROTOCOL.md: labelled twice, adjudicated), and
`everyday_e` ... `everyday_h`, 599 more by four training writers with the same brief (its
training variant: no evaluation or dev file in sight, difficulty by the rubric's success-rate
anchor), and `everyday_i` ... `everyday_p`, 1,195 by eight more (the eleventh pass; M-P with a
route mix leaning to the pairs the dev split confused), labelled once. `train_records` sends
each of them through all four clients and, like the later templates, to train or dev by
request, never test.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from benchroute.train.reqset import clients
from benchroute.train.reqset.clients import Conversation, ToolStep

TRAIN_DIR = Path(__file__).with_name("requests_train")
CLIENTS = ("sdk", "kilo", "claude_code", "codex")
TWICE_LABELLED = frozenset({"everyday_a", "everyday_c"})  # half of the second everyday set (adjudicated)


def request_of(row: dict[str, Any], rng: random.Random, client: str | None = None) -> dict[str, Any]:
    """The row's request as `client` (default: the row's own client) sends it."""
    steps = [
        ToolStep(t["kind"], t["arg"], t["result"], bool(t.get("failed"))) for t in row.get("tool_results", [])
    ]
    conv = Conversation(row["text"], steps)
    own = row.get("client", "sdk")
    client = client or own
    if client == "kilo":
        return clients.kilo(conv, (row.get("mode") if own == "kilo" else None) or "code", rng)
    if client == "claude_code":
        return clients.claude_code(conv, bool(row.get("plan_mode")), rng)
    if client == "codex":
        return clients.codex(conv, rng, bool(row.get("plan_mode")))
    return clients.sdk(conv, rng)


def read_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def train_records(seed: int, folder: Path = TRAIN_DIR) -> list[dict[str, Any]]:
    """Every train-only written request, once per client (its own first); splits not assigned."""
    rng = random.Random(seed)
    out = []
    for path in sorted(folder.glob("*.jsonl")):
        provenance = "hand-written (benchroute team), " + (
            "labelled twice and adjudicated" if path.stem in TWICE_LABELLED else "labelled by its writer"
        )
        for row in read_rows(path):
            own = row.get("client", "sdk")
            for client in (own, *(c for c in CLIENTS if c != own)):
                out.append(
                    {
                        "id": f"written/{row['id']}/{client}",
                        "source": "written",
                        "template": f"written/{row['id']}",
                        "group": f"written/{row['id']}",
                        "client": client,
                        "language": row.get("language", "none"),
                        "task_type": row["task_type"],
                        "subtype": row.get("subtype", ""),
                        "difficulty": row["difficulty"],
                        "context": "tool" if row.get("tool_results") else "none",
                        "provenance": provenance,
                        "request": request_of(row, rng, client),
                    }
                )
    return out
