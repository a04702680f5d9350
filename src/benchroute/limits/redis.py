"""The Redis limiter: fixed-window counters shared by every gateway replica (`benchroute[redis]`).

Per subject and window one integer key, `<prefix><kind>:<name>:<what>:<window>`, expiring after
its window: `rpm` (requests this minute), `tpm` (tokens this minute), `day` and `month` (spend in
micro-dollars, UTC). `admit` is one Lua script: it reads every subject's counters, checks the
limits and, only when all pass, increments the request counters (so it is atomic across replicas,
and a rejected request counts nothing). `record` is one pipeline of INCRBY + EXPIRE.

Redis being down must not stop the gateway: on a connection error the limiter fails over to an
in-process `MemoryLimiter` (limits then hold per replica, not across them), logs it (at most every
`log_every` seconds) and tries Redis again after `retry_after` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from benchroute.limits.base import (
    MICRO,
    Admission,
    Subject,
    Usage,
    WindowClock,
    Windows,
    check,
    to_micro,
    warnings,
)
from benchroute.limits.memory import MemoryLimiter
from benchroute.redisconn import connect

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "benchroute:limit:"
MINUTE_TTL = 120  # seconds a minute counter lives (its window plus slack for clock skew)
SLACK_TTL = 3600  # day and month counters outlive their window by this much

# KEYS: 4 per subject (rpm, tpm, day, month). ARGV[1]: minute ttl; then 4 limits per subject
# (-1: none; spend in micro-dollars). Returns {admitted (0/1), then 4 counters per subject}.
_ADMIT = """
local out = {1}
local n = #KEYS / 4
for i = 0, n - 1 do
  for j = 1, 4 do
    local v = tonumber(redis.call('GET', KEYS[i * 4 + j]) or '0')
    out[#out + 1] = v
    local limit = tonumber(ARGV[1 + i * 4 + j])
    if limit >= 0 and v >= limit then out[1] = 0 end
  end
end
if out[1] == 1 then
  for i = 0, n - 1 do
    if tonumber(ARGV[2 + i * 4]) >= 0 then
      redis.call('INCR', KEYS[i * 4 + 1])
      redis.call('EXPIRE', KEYS[i * 4 + 1], tonumber(ARGV[1]))
    end
  end
end
return out
"""


def _limits(subject: Subject) -> list[int]:
    p = subject.policy

    def micro(budget: float | None) -> int:
        return -1 if budget is None else round(budget * MICRO)

    return [
        -1 if p.requests_per_minute is None else p.requests_per_minute,
        -1 if p.tokens_per_minute is None else p.tokens_per_minute,
        micro(p.daily_budget_usd),
        micro(p.monthly_budget_usd),
    ]


class RedisLimiter:
    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        retry_after: float = 1.0,
        log_every: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        owns_client: bool = False,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.fallback = MemoryLimiter()
        self._script = client.register_script(_ADMIT)
        self._retry_after = retry_after
        self._log_every = log_every
        self._clock = clock
        self._down_until = 0.0
        self._last_log = -float("inf")
        self._owns_client = owns_client
        self.failures = 0  # Redis errors seen (each one served from the fallback)
        self._windows = WindowClock()

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX) -> RedisLimiter:
        return cls(connect(url), prefix=prefix, owns_client=True)

    def keys(self, subject: Subject, w: Windows) -> list[str]:
        base = f"{self.prefix}{subject.kind}:{quote(subject.name, safe='')}:"
        return [
            f"{base}rpm:{w.minute}",
            f"{base}tpm:{w.minute}",
            f"{base}day:{w.day}",
            f"{base}month:{w.month}",
        ]

    @property
    def degraded(self) -> bool:
        """True while Redis is considered down (limits are then per replica)."""
        return self._clock() < self._down_until

    def _failed(self, exc: BaseException, what: str) -> None:
        self.failures += 1
        now = self._clock()
        self._down_until = now + self._retry_after
        if now - self._last_log >= self._log_every:
            self._last_log = now
            log.warning(
                "Redis unavailable for limits (%s: %s); enforcing limits per process until it is back",
                what,
                type(exc).__name__,
            )

    async def admit(self, subjects: Sequence[Subject], now: float | None = None) -> Admission:
        now = time.time() if now is None else now
        active = [s for s in subjects if not s.policy.empty]
        if not active:
            return Admission()
        if self.degraded:
            return self.fallback.admit_now(active, now)
        w = self._windows.at(now)
        keys: list[str] = []
        args: list[int] = [MINUTE_TTL]
        for s in active:
            keys.extend(self.keys(s, w))
            args.extend(_limits(s))
        try:
            reply = await self._script(keys=keys, args=args)
        except Exception as exc:  # redis errors, OSError, timeouts: never fail the request
            self._failed(exc, "admit")
            return self.fallback.admit_now(active, now)
        admitted = int(reply[0]) == 1
        notes: list[str] = []
        for i, s in enumerate(active):
            r, t, d, m = (int(v) for v in reply[1 + i * 4 : 5 + i * 4])
            used = Usage(r, t, d, m)
            if not admitted:
                exceeded = check(s, used, w, now)
                if exceeded is not None:
                    raise exceeded
            notes.extend(warnings(s, used))
        if not admitted:  # the counters moved between the script and here: cannot happen, but be exact
            raise RuntimeError("limit script rejected a request no limit explains")
        return Admission(tuple(notes))

    async def record(
        self, subjects: Sequence[Subject], tokens: int, cost_usd: float, now: float | None = None
    ) -> None:
        now = time.time() if now is None else now
        active = [s for s in subjects if not s.policy.empty]
        if not active:
            return
        micro = to_micro(cost_usd)
        tokens = max(0, tokens)
        if self.degraded:
            self.fallback.record_now(active, tokens, cost_usd, now)
            return
        w = self._windows.at(now)
        pipe = self.client.pipeline(transaction=False)
        for s in active:
            _, tpm, day, month = self.keys(s, w)
            if tokens:
                pipe.incrby(tpm, tokens)
                pipe.expire(tpm, MINUTE_TTL)
            if micro:
                pipe.incrby(day, micro)
                pipe.expire(day, int(w.day_ends - now) + SLACK_TTL)
                pipe.incrby(month, micro)
                pipe.expire(month, int(w.month_ends - now) + SLACK_TTL)
        if not (tokens or micro):
            return
        try:
            await pipe.execute()
        except Exception as exc:
            self._failed(exc, "record")
            self.fallback.record_now(active, tokens, cost_usd, now)

    async def usage(self, subject: Subject, now: float | None = None) -> Usage:
        now = time.time() if now is None else now
        values = await self.client.mget(self.keys(subject, self._windows.at(now)))
        r, t, d, m = (int(v) if v is not None else 0 for v in values)
        return Usage(r, t, d, m)

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()
