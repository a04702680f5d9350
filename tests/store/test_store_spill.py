"""The one record codec (spill file and usage write-ahead file): lines read back as they were."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from benchroute.store import spill
from benchroute.store.base import DecisionRecord, UsageRecord


def test_usage_and_decision_records_survive_a_round_trip(tmp_path: Path) -> None:
    when = datetime(2026, 12, 2, 16, 30, 1, 123456, tzinfo=UTC)
    usage = UsageRecord(
        id="u1", time=when, project="p", key_id="k", session_key="s", client_name="kilo",
        client_version="5.3", api_kind="chat", requested_model="auto", tier="auto/efficient",
        routed_model="m/a", provider="m", prompt_tokens=12, completion_tokens=3, cached_tokens=1,
        cost_usd=0.25, latency_ms=1.5, ttft_ms=None, status=200, error=None, decision_id="d1",
        stream=True,
    )  # fmt: skip
    decision = DecisionRecord(
        id="d1", time=when, project="p", session_key=None, decision={"model": "m/a", "cells": {"a": 0.5}}
    )
    line = spill.encode(usage)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert spill.decode(line) == usage
    assert spill.decode(spill.encode(decision)) == decision

    path = tmp_path / spill.SPILL_FILE
    spill.append(path, [usage, decision])
    with path.open("ab") as fh:
        fh.write(spill.encode(usage)[:40])  # a torn last line (a crash mid-write)
    assert spill.read(path) == ([usage], [decision], 1)
