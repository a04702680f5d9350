"""Team-written request templates: one intent per template, labelled by the rubric in docs/taxonomy.md.

The templates live in `templates.jsonl` beside this module, one per line:
{"id", "task", "subtype", "difficulty", "ctx", "text"}. A template is one way people phrase one
kind of request. Slots ({fn}, {file}, {Lang}, {module}, {doc}) are filled per instance; `ctx`
lists the contexts it is sent with, separated by "|": none, code (pasted code), bigcode (a long
pasted file), trace (a pasted traceback), errpaste (pasted compiler / build errors), diff, log
(pasted logs), or a tool loop ending in readfile / failtest / passtest / compile / cmd. An empty
(or near-empty) text is a bare paste: the user turn is the pasted error output alone. The split is
by template id: no template is on two sides.

Templates written after the test split was fixed live in `templates_train/*.jsonl` (one file per
batch, the same format). They go to train or dev only, so the test split stays the same requests
while the training data grows (`load_train_only`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_FILE = Path(__file__).with_name("templates.jsonl")
TRAIN_ONLY_DIR = Path(__file__).with_name("templates_train")


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    task: str
    subtype: str
    difficulty: str
    ctx: tuple[str, ...]
    text: str


def load(path: Path = TEMPLATE_FILE) -> tuple[Template, ...]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out.append(
                    Template(
                        row["id"],
                        row["task"],
                        row["subtype"],
                        row["difficulty"],
                        tuple(row["ctx"].split("|")),
                        row["text"],
                    )
                )
    return tuple(out)


def load_train_only(folder: Path = TRAIN_ONLY_DIR) -> tuple[Template, ...]:
    """Every template in the folder's *.jsonl files, in file-name order."""
    out: list[Template] = []
    for path in sorted(folder.glob("*.jsonl")):
        out.extend(load(path))
    return tuple(out)
