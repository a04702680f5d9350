"""The usage write-ahead file: records written before the last byte survive a crash and are
replayed once; finished segments are deleted only after the writer flushed them."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from starlette.types import Message

from benchroute.gateway.durable import UsageWal
from benchroute.gateway.usage import RequestLog
from benchroute.store.base import DecisionRecord, UsageRecord
from benchroute.wire.canonical import RequestContext


class SinkFake:
    """A usage writer that keeps what it is given and counts flushes."""

    def __init__(self) -> None:
        self.usage: list[UsageRecord] = []
        self.flushes = 0

    async def submit(self, record: UsageRecord) -> None:
        self.usage.append(record)

    async def submit_decision(self, record: DecisionRecord) -> None:
        pass

    async def flush(self) -> None:
        self.flushes += 1

    async def close(self) -> None:
        pass


def record(i: int) -> UsageRecord:
    return UsageRecord(
        id=f"r{i}", time=datetime(2026, 1, 1, tzinfo=UTC), project="p", key_id="k", session_key=None,
        client_name=None, client_version=None, api_kind="chat", requested_model="m", tier="t",
        routed_model="m", provider="up", prompt_tokens=i, completion_tokens=2 * i, cost_usd=0.5,
    )  # fmt: skip


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


async def test_records_written_ahead_survive_a_crash_and_replay_once(tmp_path: Path) -> None:
    first = UsageWal(tmp_path, SinkFake(), interval=3600)
    await first.start()
    for i in range(3):
        first.append(record(i))
    assert first._fd is not None
    os.close(first._fd)  # the process dies: no close(), no checkpoint
    assert first._task is not None
    first._task.cancel()

    sink = SinkFake()
    second = UsageWal(tmp_path, sink, interval=3600)
    await second.start()
    assert [r.id for r in sink.usage] == ["r0", "r1", "r2"]
    assert sink.usage[2].completion_tokens == 4 and sink.usage[2].time == record(2).time
    assert second.replayed == 3 and sink.flushes == 1
    await second.close()
    assert segments(tmp_path) == []  # nothing left to replay a second time


async def test_checkpoint_deletes_a_segment_only_after_its_records_were_handed_over(tmp_path: Path) -> None:
    sink = SinkFake()
    wal = UsageWal(tmp_path, sink, interval=3600)
    await wal.start()
    wal.append(record(1))
    wal.append(record(2))
    wal.submitted("r1")
    await wal.checkpoint(wait=0.05)  # r2 was never handed over: its segment stays
    kept = segments(tmp_path)
    assert len(kept) == 2 and sink.flushes == 0  # the kept one and the fresh one
    wal.append(record(3))
    wal.submitted("r3")
    await wal.checkpoint(wait=0.05)
    assert sink.flushes == 1
    assert kept[0].exists()
    await wal.close()
    assert segments(tmp_path) == [kept[0]]  # replayed by the next start, deduplicated by the store


async def test_wrap_send_writes_ahead_of_the_final_body_only(tmp_path: Path) -> None:
    wal = UsageWal(tmp_path, SinkFake(), interval=3600)
    await wal.start()
    sent: list[Message] = []
    seen_on_disk: list[int] = []

    async def send(message: Message) -> None:
        seen_on_disk.append(wal.appended)
        sent.append(message)

    rlog = RequestLog("p", RequestContext(api_kind="chat", project="p"))
    wrapped = wal.wrap_send(send, rlog)
    await wrapped({"type": "http.response.start", "status": 200, "headers": []})
    await wrapped({"type": "http.response.body", "body": b"a", "more_body": True})
    await wrapped({"type": "http.response.body", "body": b"b", "more_body": False})
    assert seen_on_disk == [0, 0, 1]  # on disk before the last byte left
    assert wal.appended == 1 and len(sent) == 3
    wal.submitted(rlog.request_id)
    await wal.close()
    assert segments(tmp_path) == []


async def test_fsync_mode_covers_concurrent_records_and_rotation(tmp_path: Path) -> None:
    sink = SinkFake()
    wal = UsageWal(tmp_path, sink, fsync=True, interval=3600)
    await wal.start()
    # 20 requests at their last byte at once: each waits until an fsync (in a thread) covered it
    await asyncio.gather(*(wal.write_ahead(record(i)) for i in range(20)))
    assert wal.appended == 20 and wal._synced == 20
    (segment,) = segments(tmp_path)
    assert [json.loads(line)["record"]["id"] for line in segment.read_text().splitlines()] == [
        f"r{i}" for i in range(20)
    ]
    # a rotation while records are being written: the old segment is fsynced before it closes
    late = [asyncio.ensure_future(wal.write_ahead(record(i))) for i in range(20, 25)]
    await asyncio.sleep(0)  # one loop turn: they appended and wait for their fsync
    assert wal.appended == 25
    for i in range(25):
        wal.submitted(f"r{i}")
    await asyncio.gather(*late, wal.checkpoint())
    assert wal._synced == wal.appended == 25
    await wal.close()
    assert segments(tmp_path) == []
