"""Backlog: the usage writer's bounded FIFO (put with back-pressure, get, done, join)."""

from __future__ import annotations

import asyncio

import pytest

from benchroute.store.backlog import Backlog


async def test_first_in_first_out_and_counts() -> None:
    backlog: Backlog[int] = Backlog(10)
    for i in range(3):
        backlog.put_nowait(i)
    await backlog.put(3)
    assert len(backlog) == 4 and backlog.unfinished == 4 and not backlog.full()
    assert [await backlog.get(), backlog.take(), backlog.take(), await backlog.get()] == [0, 1, 2, 3]
    assert backlog.unfinished == 4  # taken, not done
    backlog.done(4)
    assert backlog.unfinished == 0


async def test_get_waits_for_a_put() -> None:
    backlog: Backlog[str] = Backlog(2)
    getting = asyncio.ensure_future(backlog.get())
    await asyncio.sleep(0)
    assert not getting.done()
    backlog.put_nowait("a")
    assert await asyncio.wait_for(getting, 5) == "a"


async def test_a_put_waits_for_room_and_keeps_its_turn() -> None:
    backlog: Backlog[int] = Backlog(1)
    await backlog.put(0)
    assert backlog.full()
    first = asyncio.ensure_future(backlog.put(1))
    second = asyncio.ensure_future(backlog.put(2))
    await asyncio.sleep(0)
    assert not first.done() and not second.done()
    assert backlog.take() == 0
    await asyncio.wait_for(first, 5)
    assert not second.done() and list(backlog.items) == [1]
    assert backlog.take() == 1
    await asyncio.wait_for(second, 5)
    assert list(backlog.items) == [2] and backlog.unfinished == 3


async def test_a_cancelled_put_gives_its_room_to_the_next() -> None:
    backlog: Backlog[int] = Backlog(1)
    backlog.put_nowait(0)
    first = asyncio.ensure_future(backlog.put(1))
    second = asyncio.ensure_future(backlog.put(2))
    await asyncio.sleep(0)
    assert backlog.take() == 0  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 5)
    assert list(backlog.items) == [2]


async def test_join_waits_until_everything_put_is_done() -> None:
    backlog: Backlog[int] = Backlog(5)
    await backlog.join()  # nothing put: at once
    backlog.put_nowait(1)
    backlog.put_nowait(2)
    joining = asyncio.ensure_future(backlog.join())
    await asyncio.sleep(0)
    backlog.take()
    backlog.done(1)
    await asyncio.sleep(0)
    assert not joining.done()
    backlog.take()
    backlog.done(1)
    await asyncio.wait_for(joining, 5)


def test_needs_room_for_one() -> None:
    with pytest.raises(ValueError):
        Backlog(0)
