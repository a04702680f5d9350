"""`UsageWriter`: the request path hands usage and decision records here and never awaits the store.

- `submit` / `submit_decision` put into a bounded queue and wait when it is full (back-pressure,
  never a drop).
- A background task writes batches of up to `batch_size`, at least every `flush_interval` seconds.
- A failed write is retried with exponential backoff; when the retries run out the batch is
  appended to `data_dir/usage-spill.jsonl`. `start()` replays that file into the store, and so does
  the writer itself as soon as a later write succeeds (the store is back), without a restart.
  Store writes are idempotent on the record id, so a replay or a retry never double-counts.
- `close()` drains the queue and flushes everything before returning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchroute.store import spill
from benchroute.store.backlog import Backlog
from benchroute.store.base import DecisionRecord, Store, UsageRecord

if TYPE_CHECKING:
    from benchroute.settings import Settings

log = logging.getLogger(__name__)

Record = UsageRecord | DecisionRecord


@dataclass(frozen=True, slots=True)
class WriterStats:
    written: int  # records the store acknowledged (including replayed ones)
    pending: int  # queued or being written
    failures: int  # failed write attempts
    spilled: int  # records appended to the spill file
    replayed: int  # records taken back from the spill file (at start or once the store is back)


class UsageWriter:
    def __init__(
        self,
        store: Store,
        *,
        batch_size: int = 200,
        flush_interval: float = 0.05,
        queue_size: int = 10_000,
        spill_path: Path | None = None,
        retries: int = 3,
        backoff: float = 0.05,
        max_backoff: float = 5.0,
    ) -> None:
        if batch_size < 1 or queue_size < 1:
            raise ValueError("batch_size and queue_size must be at least 1")
        self._store = store
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._queue: Backlog[Record] = Backlog(queue_size)
        self._spill_path = spill_path
        self._retries = retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._task: asyncio.Task[None] | None = None
        # Set when a full batch is waiting or the queue is full: stop waiting for more, write now.
        self._more = asyncio.Event()
        self._flushing = 0
        self._closed = False
        self._inflight = 0
        self._written = 0
        self._failures = 0
        self._spilled = 0
        self._replayed = 0
        self._spill_pending = False  # records spilled since the last replay

    @classmethod
    def from_settings(cls, store: Store, settings: Settings) -> UsageWriter:
        return cls(
            store,
            batch_size=settings.store.batch_size,
            flush_interval=settings.store.flush_interval,
            queue_size=settings.store.queue_size,
            spill_path=Path(settings.data_dir) / spill.SPILL_FILE,
        )

    @property
    def stats(self) -> WriterStats:
        return WriterStats(
            written=self._written,
            pending=len(self._queue) + self._inflight,
            failures=self._failures,
            spilled=self._spilled,
            replayed=self._replayed,
        )

    async def start(self) -> None:
        """Replay what an earlier run spilled, then start the background writer."""
        await self._replay()
        self._ensure_task()

    # `_put`'s coroutine itself (a coroutine of their own each would only pass it on)
    def submit(self, record: UsageRecord) -> Coroutine[Any, Any, None]:
        return self._put(record)

    def submit_decision(self, record: DecisionRecord) -> Coroutine[Any, Any, None]:
        return self._put(record)

    async def flush(self) -> None:
        """Wait until everything submitted so far is written (or spilled)."""
        self._ensure_task()
        self._flushing += 1
        self._more.set()
        try:
            await self._queue.join()
        finally:
            self._flushing -= 1

    async def close(self) -> None:
        if self._closed and self._task is None:
            return
        self._closed = True
        await self.flush()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _put(self, record: Record) -> None:
        if self._closed:
            raise RuntimeError("the usage writer is closed")
        if self._task is None or self._task.done():
            self._ensure_task()
        queue = self._queue
        if len(queue.items) >= queue.maxsize:
            await queue.put(record)  # back-pressure: wait for room
        else:
            queue.put_nowait(record)  # the usual case, without `put`'s coroutine
        size = len(queue.items)
        if size >= self._batch_size or size >= queue.maxsize:
            self._more.set()

    def _ensure_task(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="benchroute-usage-writer")

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            self._drain_into(batch)
            if len(batch) < self._batch_size and self._flush_interval > 0 and not self._flushing:
                self._more.clear()
                # a timer that sets the event, not `wait_for`: no task per batch
                timer = asyncio.get_running_loop().call_later(self._flush_interval, self._more.set)
                try:
                    await self._more.wait()
                finally:
                    timer.cancel()
                self._drain_into(batch)
            self._inflight = len(batch)
            try:
                await self._write_or_spill(batch)
            finally:
                self._inflight = 0
                self._queue.done(len(batch))

    def _drain_into(self, batch: list[Record]) -> None:
        queue = self._queue
        items = queue.items
        while items and len(batch) < self._batch_size:
            batch.append(queue.take())

    async def _write(self, batch: list[Record]) -> None:
        usage = [r for r in batch if isinstance(r, UsageRecord)]
        decisions = [r for r in batch if isinstance(r, DecisionRecord)]
        if decisions or usage:
            await self._store.write_batch(usage, decisions)

    async def _write_or_spill(self, batch: list[Record]) -> None:
        attempt = 0
        while True:
            try:
                await self._write(batch)
            except Exception as exc:
                self._failures += 1
                log.warning(
                    "usage write of %d records failed (attempt %d): %s",
                    len(batch),
                    attempt + 1,
                    type(exc).__name__,
                )
            else:
                self._written += len(batch)
                if self._spill_pending:  # the store is back: take the spilled records home now
                    self._spill_pending = False
                    await self._replay()
                return
            if attempt >= self._retries and await self._spill(batch):
                return
            await asyncio.sleep(min(self._backoff * 2**attempt, self._max_backoff))
            attempt += 1

    async def _spill(self, batch: list[Record]) -> bool:
        if self._spill_path is None:
            log.error("usage store unavailable and no spill file configured; holding %d records", len(batch))
            return False
        try:
            await asyncio.to_thread(spill.append, self._spill_path, batch)
        except Exception as exc:  # disk full, permissions...: keep the records and keep trying
            log.error("cannot spill %d usage records to %s: %s; retrying", len(batch), self._spill_path, exc)
            return False
        self._spilled += len(batch)
        self._spill_pending = True
        log.warning("spilled %d usage records to %s", len(batch), self._spill_path)
        return True

    async def _replay(self) -> None:
        if self._spill_path is None:
            return
        path = self._spill_path
        for file in await asyncio.to_thread(spill.claim_all, path):
            usage, decisions, bad = await asyncio.to_thread(spill.read, file)
            if bad:
                log.warning("skipped %d unreadable lines in %s", bad, file)
            records: list[Record] = [*decisions, *usage]
            for i in range(0, len(records), self._batch_size):
                chunk = records[i : i + self._batch_size]
                try:
                    await self._write(chunk)
                except Exception as exc:
                    # Still unavailable: back into the live spill file for the next start.
                    self._failures += 1
                    log.warning("replay of %s failed: %s", file, type(exc).__name__)
                    await asyncio.to_thread(spill.append, path, chunk)
                    self._spill_pending = True
                else:
                    self._written += len(chunk)
                    self._replayed += len(chunk)
            await asyncio.to_thread(file.unlink, True)
