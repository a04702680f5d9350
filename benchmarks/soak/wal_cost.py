"""What the usage write-ahead costs a request: `UsageWal.write_ahead` (encode + os.write on the
loop, then with fsync an fsync in a thread), with and without fsync, on the data directory's disk.
"loop" is the time the event loop is blocked (the append), "wait" the time the request waits until
its record is durable (one request at a time: no other record shares its fsync).

    python benchmarks/soak/wal_cost.py [--dir PATH] [--n 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchroute.gateway.durable import UsageWal
from benchroute.store.base import DecisionRecord, UsageRecord


class _Sink:
    async def submit(self, record: UsageRecord) -> None:
        pass

    async def submit_decision(self, record: DecisionRecord) -> None:
        pass

    async def close(self) -> None:
        pass


def _record(i: int) -> UsageRecord:
    return UsageRecord(
        id=f"{i:032x}", time=datetime.now(UTC), project="default", key_id="abc123", session_key="h:0",
        client_name="kilo-code", client_version="7.7.7", api_kind="chat", requested_model="auto",
        tier="auto/efficient", routed_model="openai/gpt-4.1-mini", provider="openai", prompt_tokens=1200,
        completion_tokens=300, cost_usd=0.00123, latency_ms=812.5, ttft_ms=220.1, decision_id=f"{i:032x}",
        user_agent="Kilo-Code/7.7.7",
    )  # fmt: skip


async def measure(directory: Path, n: int, fsync: bool) -> tuple[list[float], list[float]]:
    wal = UsageWal(directory, _Sink(), fsync=fsync, interval=3600)
    await wal.start()
    loop_us, wait_us = [], []
    for i in range(n):
        rec = _record(i)
        t = time.perf_counter()
        wal.append(rec)
        appended = time.perf_counter()
        if fsync:
            await wal.synced()
        loop_us.append((appended - t) * 1e6)
        wait_us.append((time.perf_counter() - t) * 1e6)
        wal.submitted(rec.id)
    await wal.close()
    return sorted(loop_us), sorted(wait_us)


def p50_p99(values: list[float]) -> str:
    return f"p50 {statistics.median(values):8.1f} us  p99 {values[int(0.99 * len(values))]:8.1f} us"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="benchroute-wal-"))
    for fsync in (False, True):
        loop_us, wait_us = asyncio.run(measure(directory / f"fsync-{fsync}", args.n, fsync))
        print(f"fsync={fsync!s:5}  loop {p50_p99(loop_us)}   wait {p50_p99(wait_us)}   ({args.n} records)")


if __name__ == "__main__":
    main()
