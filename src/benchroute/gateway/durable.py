"""Write-ahead of usage records: a request the client saw complete has its usage record on disk.

The usage writer batches records in memory (a crash would lose the batch), and the pipeline hands
the final record over after the response. So `UsageWal` appends each record to a local file
*before the last byte of the response is sent* (`wrap_send`), and the normal path (writer ->
store) runs as before. A checkpoint task rotates the file every `interval` seconds and deletes a
finished segment once every record in it was handed to the writer and the writer flushed
(written to the store, or to its fsynced spill file). On start, leftover segments (a crash) are
replayed into the writer; store writes are idempotent on the record id, so a record present both
in the store and in a segment is never counted twice.

Cost: one `os.write` of ~0.7 KB per request (the page cache survives a process crash: SIGKILL, OOM
kill). With `fsync=True` the record is also fsynced before the last byte (survives a power loss):
the fsync runs in a thread, never on the event loop, and one fsync covers every record written
before it started (group commit), so concurrent requests share it: see docs/operations.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.types import Message, Send

from benchroute.store import spill
from benchroute.store.base import UsageRecord

if TYPE_CHECKING:
    from benchroute.gateway.usage import RequestLog
    from benchroute.store.sink import UsageSink

log = logging.getLogger(__name__)

WAL_DIR = "usage-wal"


class UsageWal:
    def __init__(
        self, directory: Path, writer: UsageSink, *, fsync: bool = False, interval: float = 1.0
    ) -> None:
        self.directory = directory
        self.writer = writer
        self.fsync = fsync
        self.interval = interval
        self._fd: int | None = None
        self._path: Path | None = None
        self._count = 0  # records in the open segment
        self._seq = 0
        # by the segment's path as text (a `Path` hashes in Python, twice per request)
        self._segment = ""  # the open segment's path, as text
        self._unsubmitted: dict[str, set[str]] = {}  # segment -> ids not yet handed to the writer
        self._drained: dict[str, asyncio.Event] = {}  # set when a segment's ids were all handed over
        self._task: asyncio.Task[None] | None = None
        self._sync_lock = asyncio.Lock()  # one fsync (or segment rotation) at a time
        self._synced = 0  # `appended` as of the last completed fsync
        self.appended = 0
        self.replayed = 0

    # -- start / stop ------------------------------------------------------------------------
    async def start(self) -> None:
        """Replay what a crashed run left, then open a fresh segment and start checkpointing."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in sorted(self.directory.glob("*.jsonl")):
            usage, _, bad = await asyncio.to_thread(spill.read, old)
            if bad:
                log.warning("skipped %d torn lines in %s", bad, old)
            for record in usage:
                await self.writer.submit(record)
            flush = getattr(self.writer, "flush", None)
            if flush is not None:
                await flush()
            old.unlink(missing_ok=True)
            self.replayed += len(usage)
            if usage:
                log.warning(
                    "replayed %d usage records from %s (the gateway stopped abruptly)", len(usage), old
                )
        self._open()
        self._task = asyncio.ensure_future(self._checkpoints())

    async def close(self) -> None:
        """Checkpoint everything (call after in-flight requests finished)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.checkpoint(wait=5.0)
        await self.synced()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._path is not None and self._count == 0:
            self._path.unlink(missing_ok=True)

    # -- the request path --------------------------------------------------------------------
    def append(self, record: UsageRecord) -> None:
        """Write one record to the open segment (the page cache; `synced` makes it durable)."""
        if self._fd is None or self._path is None:
            return
        os.write(self._fd, spill.encode(record))
        self._count += 1
        self.appended += 1
        ids = self._unsubmitted.get(self._segment)
        if ids is None:  # (not `setdefault`: a set made and dropped per request)
            ids = self._unsubmitted[self._segment] = set()
        ids.add(record.id)

    async def write_ahead(self, record: UsageRecord) -> None:
        """`append`, then with `fsync=True` wait until an fsync covered it (in a thread)."""
        self.append(record)
        if self.fsync:
            await self.synced()

    async def synced(self) -> None:
        """Wait until every record appended so far is fsynced: the first waiter runs one fsync
        for all appended before it starts; the others find themselves covered by it."""
        target = self.appended
        while self._synced < target:
            async with self._sync_lock:
                seq, fd = self.appended, self._fd
                if self._synced >= target or fd is None:
                    return
                await asyncio.to_thread(os.fsync, fd)
                self._synced = max(self._synced, seq)

    def submitted(self, record_id: str) -> None:
        """The record is with the writer now (the segment can go once the writer flushed)."""
        for segment, ids in self._unsubmitted.items():
            if record_id in ids:
                ids.discard(record_id)
                if not ids and segment in self._drained:
                    self._drained[segment].set()
                return

    def wrap_send(self, send: Send, rlog: RequestLog) -> Send:
        """`send` that writes the request's usage record ahead of the response's last byte."""
        done = False

        def sending(message: Message) -> Awaitable[None]:
            # `send`'s own awaitable but for the last body message (no coroutine around each send)
            nonlocal done
            if done or message["type"] != "http.response.body" or message.get("more_body", False):
                return send(message)
            done = True
            return self._last_send(send, message, rlog)

        return sending

    async def _last_send(self, send: Send, message: Message, rlog: RequestLog) -> None:
        try:
            await self.write_ahead(rlog.record())
        except Exception:
            log.exception("write-ahead of usage record %s failed", rlog.request_id)
        await send(message)

    # -- checkpoints -------------------------------------------------------------------------
    def _open(self) -> None:
        self._seq += 1
        self._path = self.directory / f"wal-{os.getpid()}-{self._seq:08d}.jsonl"
        self._segment = str(self._path)
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._count = 0

    async def checkpoint(self, wait: float = 30.0) -> None:
        """Rotate, then delete the finished segment once its records are all with the store."""
        if self._count == 0 or self._path is None or self._fd is None:
            return
        async with self._sync_lock:  # no fsync of the old segment may be running when it closes
            finished, fd, seq, segment = self._path, self._fd, self.appended, self._segment
            if self._count == 0 or finished is None or fd is None:
                return  # rotated meanwhile
            self._open()
            if self.fsync:
                await asyncio.to_thread(os.fsync, fd)
                self._synced = max(self._synced, seq)
            os.close(fd)
        if self._unsubmitted.get(segment):  # requests between their last byte and `_log`
            drained = self._drained[segment] = asyncio.Event()
            try:
                async with asyncio.timeout(wait):
                    await drained.wait()
            except TimeoutError:
                pass
            finally:
                self._drained.pop(segment, None)
        if self._unsubmitted.get(segment):
            log.warning("usage records of %s not handed over yet; keeping the segment", finished.name)
            return
        self._unsubmitted.pop(segment, None)
        flush = getattr(self.writer, "flush", None)
        if flush is not None:
            await flush()
        finished.unlink(missing_ok=True)

    async def _checkpoints(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.checkpoint()
            except Exception:
                log.exception("usage write-ahead checkpoint failed")
