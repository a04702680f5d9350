"""A budget of CPU time per event-loop pass for the request path, so that timers, I/O and streams
in flight are not kept waiting behind a queue of new requests.

Under load every pass of the loop runs all the task steps that became ready during the pass before,
and each request's parse, routing decision and upstream call is ~0.3-0.6 ms of synchronous Python:
with 16 requests ready, a timer due at the start of a pass fires ~10 ms late. The request path
therefore passes checkpoints before its heavy synchronous sections:

    if budget.spent():  # (a request's later checkpoints: `spent(admitted=True)`)
        await budget.next_pass()

`spent()` is False until the current pass has run more than `budget` seconds since its first
checkpoint; then the request waits for the next pass, where it checks again. Waiting requests go
on in order (a new request queues behind them even when the pass has budget left, a request in
flight does not: see `spent`); the first checkpoint of a pass always goes on, so every pass makes
progress.

What a pass is: the first checkpoint of a pass schedules a timer due at once (`call_later(0)`),
and that timer ends the pass. uvloop (libuv) runs a loop iteration as: due timers, the ready
callbacks queued before the iteration (task steps: `call_soon`), I/O callbacks (poll), then the
writes; asyncio's own loop moves the due timers behind the I/O callbacks into the ready queue. In
both, a zero-delay timer fires at the boundary between two runs of the ready queue, in the same
phase as the other due timers (the connection deadlines, `asyncio.sleep`), so the waiting requests
resume in the next run of the ready queue, behind what the timers and the I/O of this pass made
ready, and check against a fresh budget there. (A request that yielded with `asyncio.sleep(0)`
instead would resume in that run too, but would not know that a new pass began.)

One per app (`GatewayState.loop_budget`); `server.loop_budget = 0` turns it off.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class LoopBudget:
    """The time one loop pass may spend on checkpointed work before the rest waits a pass."""

    __slots__ = ("_budget", "_clock", "_loop", "_marked", "_start", "_waiting", "deferred")

    def __init__(
        self,
        budget: float,
        *,
        clock: Callable[[], float] = time.perf_counter,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._budget = budget
        self._clock = clock
        self._loop = loop  # bound on first use (the app's loop; `get_running_loop` costs a getpid)
        self._marked = False  # a pass is being counted: its end is scheduled
        self._start = 0.0  # when the counted pass's first checkpoint ran
        self._waiting: deque[asyncio.Future[bool]] = deque()  # True: its turn (a pass began)
        self.deferred = 0  # checkpoints that waited (for tests and benchmarks)

    @property
    def enabled(self) -> bool:
        return self._budget > 0

    def spent(self, *, admitted: bool = False) -> bool:
        """Whether the caller should `await next_pass()`: this pass used its budget, or (for a new
        request) requests are already waiting for one. A request already `admitted` (past its first
        checkpoint) goes on while the pass has budget left, ahead of the waiting ones: finishing
        the requests in flight comes before starting more (and costs no wait per checkpoint while
        new requests queue)."""
        if self._budget <= 0:
            return False
        return self._over() if admitted or not self._waiting else True

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
        self.deferred += 1
        while True:
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
            loop.call_later(0, self._new_pass)
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
