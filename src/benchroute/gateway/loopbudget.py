"""A budget of CPU time per event-loop pass for the request path, so that timers, I/O and streams
in flight are not kept waiting behind a queue of new requests.

Under load every pass of the loop runs all the task steps that became ready during the pass before,
and each request's parse, routing decision and upstream call is ~0.3-0.6 ms of synchronous Python:
with 16 requests ready, a timer due at the start of a pass fires ~10 ms late. The request path
therefore passes checkpoints before its heavy synchronous sections:

    if budget.spent():  # (a request's later checkpoints: `spent(admitted=True)`)
        await budget.next_pass()

`spent()` is False until the current pass has run more than `budget` seconds since its first
checkpoint; then the request waits for the next pass. Waiting requests go on in order: the first
one whatever the budget (so every pass serves at least one of them), the others while the pass
has budget left; a new request queues behind them even then, a request in flight does not (see
`spent`).

What a pass is. uvloop (libuv) turns as: the ready callbacks that were queued before the turn
began (task steps: `call_soon`), I/O callbacks (poll), the writes, then the due timers (their
callbacks run there; the task steps they wake, `asyncio.sleep` for one, are queued for the next
turn). A timer due while a turn runs therefore waits for the whole turn, and then behind
everything the turn queued. A pass starts at the first checkpoint after the previous one ended,
and ends when a callback queued then (`call_soon`; uvloop runs `call_later(0)` the same way) comes
up: after what was ready when the pass began, and before the I/O and timers of the turn's end
have run their steps. Only then is the first waiter woken: it resumes behind those steps (the
timers' included), and a checkpoint there counts a fresh pass. (A request that yielded with
`asyncio.sleep(0)` instead would resume in the next turn ahead of the timers' steps, and find the
budget as spent as before.) asyncio's own loop orders a turn differently (I/O callbacks, then due
timers, then the ready queue) with the same effect.

Alone, a request has no one to share the loop with: while it is the only one in flight (the
gateway's in-flight count, `inflight`) and nothing waits, a checkpoint goes on at once, with no
clock read and no pass counted (timers and I/O wait at most the one section, as without a budget).
A second request starts the count at its first checkpoint. At one client, full speed, a section is
~0.1-0.3 ms and a pass was rarely over budget anyway; what goes is the checkpoints' own cost (a
clock read each, a callback per pass).

One per app (`GatewayState.loop_budget`); `server.loop_budget = 0` turns it off.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class Counted(Protocol):
    """The gateway's count of requests in flight (`state.InFlight`)."""

    count: int


class LoopBudget:
    """The time one loop pass may spend on checkpointed work before the rest waits a pass."""

    __slots__ = ("_budget", "_clock", "_inflight", "_loop", "_marked", "_start", "_waiting", "deferred")

    def __init__(
        self,
        budget: float,
        *,
        clock: Callable[[], float] = time.perf_counter,
        loop: asyncio.AbstractEventLoop | None = None,
        inflight: Counted | None = None,
    ) -> None:
        self._budget = budget
        self._inflight = inflight  # None: every checkpoint counts, alone or not
        self._clock = clock
        self._loop = loop  # bound on first use (the app's loop; `get_running_loop` costs a getpid)
        self._marked = False  # a pass is being counted: its end is scheduled
        self._start = 0.0  # when the counted pass's first checkpoint ran
        self._waiting: deque[asyncio.Future[bool]] = deque()  # True: its turn (a pass began)
        self.deferred = 0  # passes waited at checkpoints (for tests and benchmarks)

    @property
    def enabled(self) -> bool:
        return self._budget > 0

    def spent(self, *, admitted: bool = False) -> bool:
        """Whether the caller should `await next_pass()`: this pass used its budget, or (for a new
        request) requests are already waiting for one. A request already `admitted` (past its first
        checkpoint) goes on while the pass has budget left, ahead of the waiting ones: finishing
        the requests in flight comes before starting more (and costs no wait per checkpoint while
        new requests queue). Alone in flight with nothing waiting: False at once (module doc)."""
        if self._budget <= 0:
            return False
        if self._waiting:
            return self._over() if admitted else True
        inflight = self._inflight
        # (a new request is not counted yet at its first checkpoint; an admitted one is)
        if inflight is not None and inflight.count <= admitted:
            return False
        return self._over()

    async def next_pass(self) -> None:
        """Wait for a pass with budget left, behind the requests already waiting. The first waiter
        is woken when a pass ends and goes on in the next whatever that pass's budget (so each
        pass serves at least one waiting request: in-flight work cannot hold them off for long);
        each waiter that goes on wakes the next, which checks the budget after the first one's
        section ran (so one waiter per pass finds it spent, not all of them)."""
        loop = self._loop
        assert loop is not None, "next_pass() follows a spent() that returned True"
        waiter = loop.create_future()
        self._waiting.append(waiter)
        while True:
            self.deferred += 1
            try:
                turn = await waiter
            except BaseException:
                if waiter.cancelled():
                    if waiter in self._waiting:
                        self._waiting.remove(waiter)
                else:  # woken, then cancelled: the next one goes instead
                    self._wake_next(turn=waiter.result())
                raise
            if not self._over() or turn:  # (`_over` also starts counting a pass)
                self._wake_next()
                return
            waiter = loop.create_future()
            self._waiting.appendleft(waiter)  # spent again: keep its place

    def _over(self) -> bool:
        now = self._clock()
        if not self._marked:
            loop = self._loop
            if loop is None:
                loop = self._loop = asyncio.get_running_loop()
            self._marked = True
            self._start = now
            loop.call_soon(self._new_pass)
            return False
        return now - self._start > self._budget

    def _new_pass(self) -> None:
        self._marked = False
        self._wake_next(turn=True)

    def _wake_next(self, *, turn: bool = False) -> None:
        waiting = self._waiting
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():  # (a cancelled one leaves the queue when its task resumes)
                waiter.set_result(turn)
                return
