"""The settings change log as diffs: what each change did, not only what it left behind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchroute.store.base import SettingsChange

CONFIG = "(config)"  # no override: the config file's value applies


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class ChangeDiff:
    change: SettingsChange
    fields: tuple[FieldChange, ...]


def _show(values: dict[str, Any], name: str) -> str:
    if name not in values:
        return CONFIG
    v = values[name]
    return ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)


def diffs(changes: Sequence[SettingsChange], shown: int = 20) -> list[ChangeDiff]:
    """`changes` newest first (one more than `shown` when there are older ones): each change's
    fields that differ from the change before it (the oldest known starts from the config)."""
    out: list[ChangeDiff] = []
    for i, change in enumerate(changes[:shown]):
        before = changes[i + 1].values if i + 1 < len(changes) else {}
        names = sorted(set(before) | set(change.values))
        fields = tuple(
            FieldChange(n, _show(before, n), _show(change.values, n))
            for n in names
            if _show(before, n) != _show(change.values, n)
        )
        out.append(ChangeDiff(change, fields))
    return out
