"""gateway.loopbudget: a CPU budget per event-loop pass, with an injected clock (nothing timed)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop
from gateway_harness import GatewayFactory, user

from benchroute.gateway.loopbudget import LoopBudget
from benchroute.providers.fake import Reply
from benchroute.wire.canonical import Usage

BUDGET = 0.001


class Clock:
    """A clock that moves only when told (a request's section "takes" what it adds)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def scene() -> tuple[asyncio.AbstractEventLoop, Clock, LoopBudget, list[str]]:
    """In a running loop: the loop, a clock, a budget on that clock and a list to record an order."""
    clock = Clock()
    return asyncio.get_running_loop(), clock, LoopBudget(BUDGET, clock=clock), []


async def checkpoint(budget: LoopBudget) -> None:
    if budget.spent():
        await budget.next_pass()


def run_in(loop_factory: Callable[[], asyncio.AbstractEventLoop], main: Coroutine[Any, Any, None]) -> None:
    loop = loop_factory()
    try:
        loop.run_until_complete(main)
    finally:
        loop.close()


LOOPS = pytest.mark.parametrize(
    "loop_factory", [asyncio.new_event_loop, uvloop.new_event_loop], ids=["asyncio", "uvloop"]
)


def test_off_never_spent() -> None:
    clock = Clock()
    budget = LoopBudget(0.0, clock=clock)  # no running loop needed: nothing is scheduled
    for _ in range(3):
        clock.now += 1
        assert not budget.spent()
    assert not budget.enabled and budget.deferred == 0


@LOOPS
def test_spent_once_the_pass_used_the_budget(loop_factory: Callable[[], asyncio.AbstractEventLoop]) -> None:
    async def main() -> None:
        clock = Clock()
        budget = LoopBudget(BUDGET, clock=clock)
        assert not budget.spent()  # the pass's first checkpoint always goes on
        clock.now += BUDGET / 2
        assert not budget.spent()
        clock.now += BUDGET
        assert budget.spent()
        await asyncio.sleep(0)  # the pass ends (its zero-delay timer fires)...
        await asyncio.sleep(0)
        assert not budget.spent()  # ...and the next one starts counting afresh

    run_in(loop_factory, main())


class InFlight:
    count = 0


@LOOPS
def test_alone_in_flight_a_checkpoint_goes_on_and_counts_no_pass(
    loop_factory: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        clock, inflight = Clock(), InFlight()
        budget = LoopBudget(BUDGET, clock=clock, inflight=inflight)
        order: list[str] = []

        async def request(name: str, cost: float) -> None:
            await checkpoint(budget)  # a new request: not counted in flight yet
            inflight.count += 1
            try:
                for _ in range(3):
                    order.append(name)
                    clock.now += cost
                    loop.call_soon(order.append, "timer")
                    if budget.spent(admitted=True):
                        await budget.next_pass()
            finally:
                inflight.count -= 1

        await request("a", 2 * BUDGET)  # alone: every section over budget, never a wait
        assert order == ["a", "a", "a"] and budget.deferred == 0
        await asyncio.sleep(0)
        order.clear()
        # another request in flight (waiting on its upstream): the budget counts again, and a
        # spent pass lets the timers in between
        upstream = loop.create_future()

        async def other() -> None:
            inflight.count += 1
            try:
                await upstream
            finally:
                inflight.count -= 1

        waiting = loop.create_task(other())
        await asyncio.sleep(0)
        await request("b", 2 * BUDGET)
        assert budget.deferred > 0
        assert order[:3] == ["b", "timer", "b"]
        upstream.set_result(None)
        await waiting

    run_in(loop_factory, main())


@LOOPS
def test_deferred_requests_resume_in_order_behind_what_the_spent_pass_queued(
    loop_factory: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def main() -> None:
        loop, clock, budget, order = scene()

        async def request(name: str, cost: float) -> None:
            await checkpoint(budget)
            order.append(name)
            clock.now += cost
            if name == "a":  # queued in the spent pass (a timer's callback, I/O: queued the same way)
                loop.call_soon(order.append, "timer")

        tasks = [
            loop.create_task(request(name, cost))
            for name, cost in [("a", 2 * BUDGET), *((n, 0.0) for n in "bcd")]
        ]
        await asyncio.gather(*tasks)
        assert budget.deferred == 3
        assert order == ["a", "timer", "b", "c", "d"]

    run_in(loop_factory, main())


@LOOPS
def test_a_spent_pass_keeps_the_rest_waiting_in_their_places(
    loop_factory: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def main() -> None:
        loop, clock, budget, order = scene()
        passes: list[int] = []

        def count_passes() -> None:
            passes.append(len(order))
            if len(passes) < 50:
                loop.call_later(0, count_passes)

        async def request(name: str, cost: float) -> None:
            await checkpoint(budget)
            order.append(name)
            clock.now += cost

        clock.now += 0
        assert not budget.spent()
        clock.now += 2 * BUDGET  # this pass is spent
        tasks = [loop.create_task(request(name, 2 * BUDGET)) for name in "abc"]
        await asyncio.sleep(0)
        late = loop.create_task(request("late", 0.0))  # comes after them even with budget left
        count_passes()
        await asyncio.gather(*tasks, late)
        assert order == ["a", "b", "c", "late"]
        # one request per pass: each spends the budget of the pass it runs in
        ran_at = [passes.index(n) for n in range(1, 5) if n in passes]
        assert len(ran_at) == len(set(ran_at)) == 4

    run_in(loop_factory, main())


@LOOPS
def test_a_request_in_flight_goes_ahead_of_waiting_ones_while_budget_remains(
    loop_factory: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def main() -> None:
        loop, clock, budget, order = scene()

        async def request(name: str, admitted: bool) -> None:
            if budget.spent(admitted=admitted):
                await budget.next_pass()
            order.append(name)
            clock.now += 2 * BUDGET if name == "x" else 0.0

        tasks = [loop.create_task(request(name, False)) for name in ("x", "new")]
        await asyncio.sleep(0)
        assert order == ["x"]  # x spent the pass; "new" waits for the next one
        clock.now -= 2 * BUDGET  # as if x had cost nothing: budget left, and a request waiting
        assert budget.spent()  # a new request queues behind the waiting one
        assert not budget.spent(admitted=True)  # one in flight goes on
        clock.now += 2 * BUDGET
        assert budget.spent(admitted=True)  # a spent pass is spent for both
        await asyncio.gather(*tasks)
        assert order == ["x", "new"]

    run_in(loop_factory, main())


@LOOPS
def test_the_first_waiter_goes_on_in_the_next_pass_whatever_its_budget(
    loop_factory: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def main() -> None:
        loop, clock, budget, order = scene()
        in_flight: list[asyncio.Task[None]] = []

        async def request(name: str, admitted: bool) -> None:
            if budget.spent(admitted=admitted):
                await budget.next_pass()
            order.append(name)
            clock.now += 2 * BUDGET
            if name == "a":  # work in flight, ready before the next pass's waiter resumes
                in_flight.append(loop.create_task(request("in flight", True)))

        await asyncio.gather(*(loop.create_task(request(name, False)) for name in ("a", "b")))
        await asyncio.gather(*in_flight)
        # the work in flight spent the next pass before b resumed in it: b went on all the same
        # (work in flight cannot hold new requests off pass after pass)
        assert order == ["a", "in flight", "b"]
        assert budget.deferred == 1

    run_in(loop_factory, main())


@LOOPS
def test_cancelled_waiters_leave_and_pass_the_turn_on(
    loop_factory: Callable[[], asyncio.AbstractEventLoop],
) -> None:
    async def main() -> None:
        loop, clock, budget, order = scene()
        tasks: dict[str, asyncio.Task[None]] = {}

        async def request(name: str) -> None:
            await checkpoint(budget)
            order.append(name)
            if name == "x":  # spends the pass in which a, b and c reach their checkpoint
                clock.now += 2 * BUDGET
                loop.call_soon(tasks["b"].cancel)  # b is cancelled while it waits
                # a is cancelled after the end of the pass woke it, before it resumes: c goes instead
                loop.call_later(0, tasks["a"].cancel)

        for name in "xabc":
            tasks[name] = loop.create_task(request(name))
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        assert order == ["x", "c"]
        assert tasks["a"].cancelled() and tasks["b"].cancelled()
        assert budget.deferred == 3 and not budget.spent()

    run_in(loop_factory, main())


async def test_gateway_under_a_tiny_budget_keeps_records_and_streams(gateway: GatewayFactory) -> None:
    gw = await gateway(loop_budget=1e-9)  # every checkpoint but a pass's first waits a pass
    for _ in range(8):
        gw.providers["fb"].add(Reply(text="hi", usage=Usage(prompt_tokens=3, completion_tokens=1)))
    body: dict[str, Any] = {"model": "fake/b", "messages": user()}
    replies = await asyncio.gather(*(gw.chat(body) for _ in range(6)))
    assert [r.status_code for r in replies] == [200] * 6
    assert all(r.json()["choices"][0]["message"]["content"] == "hi" for r in replies)
    streamed = await asyncio.gather(*(gw.chat({**body, "stream": True}) for _ in range(2)))
    assert all(r.status_code == 200 and "[DONE]" in r.text for r in streamed)
    records = await gw.records()
    assert len(records) == 8
    assert {(rec.status, rec.prompt_tokens, rec.completion_tokens) for rec in records} == {(200, 3, 1)}
    assert gw.state.loop_budget.deferred > 0
