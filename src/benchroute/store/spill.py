"""The spill file: usage and decision records the store would not take, kept as append-only JSONL.

One JSON object a line: `{"kind": "usage" | "decision", "record": {...}}`. Lines are written with
one `write` call each and fsynced, and a torn last line (a crash mid-write) is skipped on replay.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from benchroute.store.base import DecisionRecord, UsageRecord

SPILL_FILE = "usage-spill.jsonl"

Record = UsageRecord | DecisionRecord


def _encode(record: Record) -> str:
    kind = "usage" if isinstance(record, UsageRecord) else "decision"
    body = asdict(record)
    body["time"] = record.time.isoformat()
    return json.dumps({"kind": kind, "record": body}, separators=(",", ":"), default=str)


def _decode(line: str) -> Record | None:
    try:
        obj: dict[str, Any] = json.loads(line)
        body = dict(obj["record"])
        body["time"] = datetime.fromisoformat(body["time"])
        if obj["kind"] == "usage":
            return UsageRecord(**body)
        if obj["kind"] == "decision":
            return DecisionRecord(**body)
    except (ValueError, KeyError, TypeError):
        return None
    return None


def append(path: Path, records: list[Record]) -> None:
    """Append records durably (blocking: call it in a thread on the event loop)."""
    if not records:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(_encode(r) + "\n" for r in records).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def claim(path: Path) -> Path | None:
    """Move the spill file aside for replay, so new spills go to a fresh file meanwhile."""
    if not path.exists():
        return None
    claimed = path.with_name(f"{path.name}.replay-{os.getpid()}")
    try:
        os.replace(path, claimed)
    except FileNotFoundError:  # another process claimed it first
        return None
    return claimed


def claim_all(path: Path) -> list[Path]:
    """Every file waiting for replay: leftovers of an interrupted replay, then the spill file."""
    leftovers = sorted(path.parent.glob(f"{path.name}.replay-*")) if path.parent.is_dir() else []
    claimed = claim(path)
    return [*leftovers, *([claimed] if claimed else [])]


def read(path: Path) -> tuple[list[UsageRecord], list[DecisionRecord], int]:
    """(usage, decisions, number of unreadable lines)."""
    usage: list[UsageRecord] = []
    decisions: list[DecisionRecord] = []
    bad = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = _decode(line)
            if isinstance(rec, UsageRecord):
                usage.append(rec)
            elif isinstance(rec, DecisionRecord):
                decisions.append(rec)
            else:
                bad += 1
    return usage, decisions, bad
