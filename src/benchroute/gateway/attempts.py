"""What the failover chain met on the way to an answer: the calls that failed before the first byte
and the fallbacks it skipped while they cool down. `failover` fills it; the request's record
(`outcome.recorded`) says it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Failure:
    """Calls to one model that failed before the first byte, in a row: the last one's kind
    (`ErrorKind`, or "provider_not_configured") and HTTP status."""

    model: str
    kind: str
    status: int | None = None
    attempts: int = 1


@dataclass(slots=True)
class Attempts:
    """What the attempt chain met on the way: failed calls, and fallbacks skipped while cooling down."""

    failures: list[Failure] = field(default_factory=list)
    skipped: tuple[str, ...] = ()

    def failed(self, model: str, kind: str, status: int | None) -> None:
        last = self.failures[-1] if self.failures else None
        if last is not None and last.model == model:
            self.failures[-1] = Failure(model, kind, status, last.attempts + 1)
        else:
            self.failures.append(Failure(model, kind, status))
