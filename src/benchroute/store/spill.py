"""The spill file: usage and decision records the store would not take, kept as append-only JSONL.

One JSON object a line: `{"kind": "usage" | "decision", "record": {...}}`. Lines are written with
one `write` call each and fsynced, and a torn last line (a crash mid-write) is skipped on replay.
`encode` / `decode` are the one record codec: the usage write-ahead file (`gateway.durable`)
writes the same lines.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import orjson

from benchroute.store.base import DecisionRecord, UsageRecord

SPILL_FILE = "usage-spill.jsonl"

Record = UsageRecord | DecisionRecord

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE


def _codec(cls: type) -> tuple[str, tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    names = tuple(f.name for f in fields(cls))
    return ("usage" if cls is UsageRecord else "decision"), names, attrgetter(*names)


_CODECS = {cls: _codec(cls) for cls in (UsageRecord, DecisionRecord)}


def encode(record: Record) -> bytes:
    """One line, newline included. orjson serialises the fields and the datetime (ISO 8601) itself:
    ~3 us, against ~50 us through `asdict` and `json`; anything else odd as `str`. The fields go
    as a dict: given the dataclass, orjson first asks it for a `__dict__`, which a slots class
    answers with an `AttributeError` (raised and cleared: once per record)."""
    kind, names, values = _CODECS[type(record)]
    body = dict(zip(names, values(record), strict=True))
    return orjson.dumps({"kind": kind, "record": body}, default=str, option=_OPTIONS)


def decode(line: str | bytes) -> Record | None:
    """A line back as its record; None for a torn or foreign line."""
    try:
        obj: dict[str, Any] = orjson.loads(line)
        body = dict(obj["record"])
        body["time"] = datetime.fromisoformat(body["time"])
        if obj["kind"] == "usage":
            return UsageRecord(**body)
        if obj["kind"] == "decision":
            return DecisionRecord(**body)
    except (orjson.JSONDecodeError, ValueError, KeyError, TypeError):
        return None
    return None


def append(path: Path, records: list[Record]) -> None:
    """Append records durably (blocking: call it in a thread on the event loop)."""
    if not records:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(encode(r) for r in records)
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
            rec = decode(line)
            if isinstance(rec, UsageRecord):
                usage.append(rec)
            elif isinstance(rec, DecisionRecord):
                decisions.append(rec)
            else:
                bad += 1
    return usage, decisions, bad
