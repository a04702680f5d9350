"""`ProjectGate`: at most `limit` requests of one project inside a section at once (in this
process); one more is refused at once (429) rather than queued, so a project looping on an
expensive endpoint cannot take the event loop or the worker threads from everyone else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from benchroute.gateway.errors import GatewayError


class ProjectGate:
    def __init__(self, limit: int, what: str) -> None:
        self.limit = limit
        self.what = what
        self._running: dict[str, int] = {}

    @contextmanager
    def enter(self, project: str) -> Iterator[None]:
        running = self._running.get(project, 0)
        if running >= self.limit:
            raise GatewayError(
                429,
                f"too many concurrent {self.what} requests for project {project!r} (limit {self.limit})",
                code="concurrency_limit",
                type="rate_limit_error",
                headers={"retry-after": "1"},
            )
        self._running[project] = running + 1
        try:
            yield
        finally:
            left = self._running[project] - 1
            if left:
                self._running[project] = left
            else:
                del self._running[project]
