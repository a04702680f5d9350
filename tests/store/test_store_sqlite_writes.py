"""The direct SQLite insert path (store/sqlite_writes.py) stores exactly what SQLAlchemy stores."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect

from benchroute.store import schema as t
from benchroute.store.base import DecisionRecord, UsageRecord
from benchroute.store.sql import SqlStore
from benchroute.store.sqlite_writes import (
    WRITER_NICE,
    YIELD_EVERY,
    PreparedInsert,
    utc_text,
    utc_text_by_second,
)

T0 = datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))


def record(id: str) -> UsageRecord:
    return UsageRecord(
        id=id, time=T0, project="alpha", key_id=None, session_key="s1", client_name="kilo-code",
        client_version=None, api_kind="chat", requested_model="auto", tier="auto/efficient",
        routed_model="small", provider="local", prompt_tokens=100, completion_tokens=10, cached_tokens=3,
        cost_usd=0.0125, latency_ms=201.5, ttft_ms=None, status=502, error="upstream failed: \u00e9",
        decision_id="d1", stream=True, mode="code", user_agent="ua", frontier_cost_usd=0.1,
    )  # fmt: skip


def raw_rows(path: Path, table: str) -> dict[str, tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY id')
        return {row[0]: row[1:] for row in cur.fetchall()}


async def test_usage_and_decision_rows_match_sqlalchemy(tmp_path: Path) -> None:
    path = tmp_path / "fast.db"
    store = SqlStore(f"sqlite:///{path}")
    await store.start()
    try:
        await store.write_usage([record("fast")])
        decision = {"model": "small", "cells": {"implement:easy": 0.75}, "candidates": [], "note": "\u00e9"}
        await store.write_decisions(
            [DecisionRecord(id="fast", time=T0, project="alpha", session_key=None, decision=decision)]
        )
        # the same values through SQLAlchemy, as the store wrote them before the direct path
        async with store.engine.begin() as conn:
            row = {f: getattr(record("slow"), f) for f in t.usage.c.keys()}
            await conn.execute(sa.insert(t.usage), [row])
            drow = {"id": "slow", "time": T0, "project": "alpha", "session_key": None, "decision": decision}
            await conn.execute(sa.insert(t.decisions), [drow])
        # idempotent on the id: a replayed batch changes nothing
        await store.write_usage([replace(record("fast"), prompt_tokens=1)])
    finally:
        await store.close()
    for table in ("usage", "decisions"):
        rows = raw_rows(path, table)
        assert rows["fast"] == rows["slow"]
    reopened = SqlStore(f"sqlite:///{path}")
    try:
        got = await reopened.list_usage(project="alpha")
        by_id = {r.id: r for r in got}
        assert by_id["fast"] == replace(record("fast"), time=T0.astimezone(UTC))
        assert by_id["fast"].prompt_tokens == 100
        stored = await reopened.get_decision("fast", project="alpha")
        assert stored is not None and stored.decision == decision
    finally:
        await reopened.close()


def test_rows_give_up_the_core_between_rows_and_are_the_same_rows() -> None:
    """The writer thread yields its core every `YIELD_EVERY` rows, between rows (so `executemany`
    sees the same parameters), and never without a pause function."""
    names = [c for c in t.usage.c.keys()]
    dialect = sqlite_dialect.dialect()
    events: list[str] = []
    paused = PreparedInsert(t.usage, names, dialect, pause=lambda: events.append("pause"))
    plain = PreparedInsert(t.usage, names, dialect, pause=None)
    records = [record(f"r{i}") for i in range(7)]
    rows = []
    for row in paused.rows(records):
        events.append("row")
        rows.append(row)
    assert rows == list(plain.rows(records))
    assert events.count("pause") == len(records) // YIELD_EVERY
    # a pause only ever follows the row that completes a group of `YIELD_EVERY`
    positions = [i for i, e in enumerate(events) if e == "pause"]
    assert all(events[:i].count("row") % YIELD_EVERY == 0 for i in positions)
    assert PreparedInsert(t.usage, names, dialect)._pause is getattr(os, "sched_yield", None)


async def test_writer_thread_runs_at_a_lower_priority(tmp_path: Path) -> None:
    """The request path comes first: the insert thread's niceness is the process's + WRITER_NICE."""
    path = tmp_path / "nice.db"
    store = SqlStore(f"sqlite:///{path}")
    await store.start()
    try:
        await store.write_usage([record("a")])
        inserter = store._inserter
        assert inserter is not None

        def niceness() -> int:
            return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

        here = niceness()
        there = await inserter.call(niceness)
        assert there == min(19, here + WRITER_NICE)
    finally:
        await store.close()


def test_utc_text_binds_what_sqlalchemy_binds() -> None:
    """The direct path's datetime conversion agrees with SQLAlchemy's (UtcDateTime on SQLite)."""
    dialect = sqlite_dialect.dialect()
    sqlalchemy_process = t.usage.c["time"].type.dialect_impl(dialect).bind_processor(dialect)
    assert sqlalchemy_process is not None
    values = [
        T0,  # aware, not UTC, with microseconds
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),  # no microseconds: still written as .000000
        datetime(2026, 1, 2, 3, 4, 5, 7),  # naive: taken as UTC
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        None,
    ]
    for value in values:
        assert utc_text(value) == sqlalchemy_process(value)
    by_second = utc_text_by_second()
    times = [
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=UTC),  # the same second
        datetime(2026, 2, 2, 3, 4, 5, 0, tzinfo=UTC),  # the same time of day a month later
        datetime(999, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
        *values,
    ]
    for value in times:
        assert by_second(value) == sqlalchemy_process(value)


async def test_a_writer_batch_is_one_transaction(tmp_path: Path) -> None:
    """`write_batch` on SQLite: decisions and usage together, or neither (a retry then writes
    both once: the inserts are idempotent on the id)."""
    path = tmp_path / "batch.db"
    store = SqlStore(f"sqlite:///{path}")
    await store.start()
    decision = DecisionRecord(id="b1", time=T0, project="alpha", session_key=None, decision={"model": "m"})
    try:
        broken = replace(record("b1"), api_kind=None)  # type: ignore[arg-type]  # NOT NULL column
        with pytest.raises(sqlite3.IntegrityError):
            await store.write_batch([broken], [decision])
        assert raw_rows(path, "decisions") == {} and raw_rows(path, "usage") == {}
        await store.write_batch([record("b1")], [decision])
        await store.write_batch([record("b1")], [decision])
    finally:
        await store.close()
    assert list(raw_rows(path, "decisions")) == ["b1"] and list(raw_rows(path, "usage")) == ["b1"]
