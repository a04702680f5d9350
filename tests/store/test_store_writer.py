"""UsageWriter: back-pressure, batching, flush on close, retry, spill to JSONL and replay."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchroute.settings import Settings
from benchroute.store.base import DecisionRecord, UsageRecord
from benchroute.store.memory import MemoryStore
from benchroute.store.spill import SPILL_FILE
from benchroute.store.writer import UsageWriter
from support.poll import eventually

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def usage(i: int) -> UsageRecord:
    return UsageRecord(
        id=f"u{i}",
        time=T0 + timedelta(seconds=i),
        project="alpha",
        key_id="k",
        session_key="s",
        client_name="codex",
        client_version=None,
        api_kind="responses",
        requested_model="auto",
        tier="auto/efficient",
        routed_model="small",
        provider="local",
        prompt_tokens=i,
        cost_usd=0.001,
    )


def decision(i: int) -> DecisionRecord:
    return DecisionRecord(f"d{i}", T0, "alpha", "s", {"chosen": "small", "n": i})


def spill_files(directory: Path) -> list[Path]:
    return list(directory.glob(f"{SPILL_FILE}*"))


class RecordingStore(MemoryStore):
    """A MemoryStore that records batch sizes, can be held shut, and can be made to fail."""

    def __init__(self) -> None:
        super().__init__(secret="s")
        self.batches: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_next = 0
        self.always_fail = False

    async def _check(self) -> None:
        await self.gate.wait()
        if self.always_fail or self.fail_next > 0:
            self.fail_next -= 1
            raise ConnectionError("database is down")

    async def write_usage(self, records: Sequence[UsageRecord]) -> None:
        await self._check()
        self.batches.append(len(records))
        await super().write_usage(records)

    async def write_decisions(self, records: Sequence[DecisionRecord]) -> None:
        await self._check()
        await super().write_decisions(records)


async def test_a_slow_store_blocks_submit_instead_of_dropping() -> None:
    store = RecordingStore()
    store.gate.clear()
    writer = UsageWriter(store, batch_size=1, flush_interval=0, queue_size=2)
    await writer.start()
    for i in range(3):  # one taken by the writer (stuck in the store), two queued
        await writer.submit(usage(i))
    await asyncio.sleep(0.02)
    blocked = asyncio.create_task(writer.submit(usage(3)))
    await asyncio.sleep(0.05)
    assert not blocked.done()  # back-pressure: the caller waits
    assert writer.stats.pending == 3
    store.gate.set()
    await asyncio.wait_for(blocked, 1)
    await writer.close()
    assert len(await store.list_usage(project=None)) == 4
    assert writer.stats.written == 4 and writer.stats.pending == 0


async def test_batches_are_at_most_batch_size() -> None:
    store = RecordingStore()
    writer = UsageWriter(store, batch_size=10, flush_interval=0.01, queue_size=100)
    await writer.start()
    for i in range(25):
        await writer.submit(usage(i))
    await writer.close()
    assert store.batches == [10, 10, 5]


async def test_records_are_written_within_the_flush_interval_without_close() -> None:
    store = RecordingStore()
    writer = UsageWriter(store, batch_size=100, flush_interval=0.02)
    await writer.start()
    await writer.submit(usage(1))
    await writer.submit_decision(decision(1))
    await eventually(lambda: writer.stats.written == 2, what="the writer writes both (no close, no flush)")
    assert len(await store.list_usage(project=None)) == 1
    assert await store.get_decision("d1", project="alpha") is not None
    assert writer.stats.written == 2
    await writer.close()


async def test_close_flushes_everything() -> None:
    store = RecordingStore()
    writer = UsageWriter(store, batch_size=50, flush_interval=0.5, queue_size=20)
    await writer.start()
    for i in range(500):
        await writer.submit(usage(i))
        if i % 5 == 0:
            await writer.submit_decision(decision(i))
    await writer.close()
    assert len(await store.list_usage(project=None, limit=10_000)) == 500
    assert len(await store.list_decisions(project=None, limit=10_000)) == 100
    assert writer.stats.pending == 0 and writer.stats.written == 600
    with pytest.raises(RuntimeError, match="closed"):
        await writer.submit(usage(9999))


async def test_a_transient_failure_is_retried_without_spilling(tmp_path: Path) -> None:
    store = RecordingStore()
    store.fail_next = 2
    writer = UsageWriter(store, flush_interval=0, retries=3, backoff=0.001, spill_path=tmp_path / SPILL_FILE)
    await writer.start()
    await writer.submit(usage(1))
    await writer.close()
    assert writer.stats.failures == 2 and writer.stats.spilled == 0 and writer.stats.written == 1
    assert len(await store.list_usage(project=None)) == 1
    assert not (tmp_path / SPILL_FILE).exists()


async def test_failing_store_spills_and_the_next_start_replays(tmp_path: Path) -> None:
    spill_path = tmp_path / SPILL_FILE
    down = RecordingStore()
    down.always_fail = True
    writer = UsageWriter(
        down, batch_size=4, flush_interval=0, retries=1, backoff=0.001, spill_path=spill_path
    )
    await writer.start()
    for i in range(5):
        await writer.submit(usage(i))
    await writer.submit_decision(decision(1))
    await writer.submit_decision(decision(2))
    await writer.close()
    assert writer.stats.spilled == 7 and writer.stats.written == 0 and writer.stats.failures >= 2
    lines = spill_path.read_text().splitlines()
    assert len(lines) == 7 and {json.loads(line)["kind"] for line in lines} == {"usage", "decision"}

    # Next start, still down: the records stay in the spill file.
    again = UsageWriter(down, spill_path=spill_path)
    await again.start()
    await again.close()
    assert again.stats.replayed == 0 and len(spill_path.read_text().splitlines()) == 7

    # Next start, store back: everything replayed exactly once, the spill file is gone.
    healthy = RecordingStore()
    await healthy.write_usage([usage(0)])  # already there: replay must not double it
    with spill_path.open("a") as fh:
        fh.write('{"kind": "usage", "record": {"id": "torn')  # a crash mid-line
    replayer = UsageWriter(healthy, spill_path=spill_path)
    await replayer.start()
    await replayer.close()
    assert replayer.stats.replayed == 7
    got = await healthy.list_usage(project=None)
    assert sorted(r.id for r in got) == [f"u{i}" for i in range(5)]
    assert got[0] == usage(4)  # fields survive the JSON round trip
    assert await healthy.get_decision("d2", project="alpha") == decision(2)
    assert spill_files(tmp_path) == []


async def test_from_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, store={"batch_size": 3, "flush_interval": 0, "queue_size": 7})
    store = RecordingStore()
    writer = UsageWriter.from_settings(store, settings)
    await writer.start()
    for i in range(7):
        await writer.submit(usage(i))
    await writer.close()
    assert store.batches == [3, 3, 1]


async def test_unreachable_database_spills_then_replays_into_a_real_store(tmp_path: Path) -> None:
    from benchroute.store.sql import SqlStore

    spill_path = tmp_path / SPILL_FILE
    unreachable = SqlStore("postgresql://postgres@127.0.0.1:1/nowhere")  # nothing listens on port 1
    writer = UsageWriter(unreachable, flush_interval=0, retries=1, backoff=0.001, spill_path=spill_path)
    await writer.start()
    for i in range(3):
        await writer.submit(usage(i))
    await writer.submit_decision(decision(7))
    await writer.close()
    await unreachable.close()
    assert writer.stats.spilled == 4 and writer.stats.written == 0

    store = SqlStore(f"sqlite:///{tmp_path / 'b.db'}")
    await store.start()
    try:
        replayer = UsageWriter(store, spill_path=spill_path)
        await replayer.start()
        await replayer.close()
        assert replayer.stats.replayed == 4
        assert sorted(r.id for r in await store.list_usage(project="alpha")) == ["u0", "u1", "u2"]
        assert await store.get_decision("d7", project="alpha") == decision(7)
    finally:
        await store.close()


async def test_spilled_records_are_replayed_once_the_store_is_back_without_a_restart(
    tmp_path: Path,
) -> None:
    spill_path = tmp_path / SPILL_FILE
    store = RecordingStore()
    store.always_fail = True
    writer = UsageWriter(
        store, batch_size=4, flush_interval=0, retries=1, backoff=0.001, spill_path=spill_path
    )
    await writer.start()
    for i in range(3):
        await writer.submit(usage(i))
    await writer.flush()
    assert writer.stats.spilled == 3 and await store.list_usage(project=None) == []

    store.always_fail = False  # the database is back
    await writer.submit(usage(3))
    await writer.flush()
    got = sorted(r.id for r in await store.list_usage(project=None))
    assert got == ["u0", "u1", "u2", "u3"]  # the spilled three came home with the next write
    assert writer.stats.replayed == 3 and spill_files(tmp_path) == []
    await writer.close()
