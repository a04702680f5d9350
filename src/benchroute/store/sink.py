"""`UsageSink`: what the gateway needs from where finished requests go (`writer.UsageWriter`
implements it; the write-ahead log in front of it takes one too)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from benchroute.store.base import DecisionRecord, UsageRecord

if TYPE_CHECKING:
    from benchroute.store.writer import WriterStats


class UsageSink(Protocol):
    async def submit(self, record: UsageRecord) -> None: ...

    async def submit_decision(self, record: DecisionRecord) -> None: ...

    async def flush(self) -> None:
        """Wait until everything submitted so far is written (reads right after a request see it)."""
        ...

    async def close(self) -> None: ...

    @property
    def stats(self) -> WriterStats:
        """Counts for /healthz: written, pending, failures, spilled, replayed."""
        ...
