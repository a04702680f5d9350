"""`Backlog`: the usage writer's bounded queue (one consumer, the writer's task).

What `asyncio.Queue` gave the writer (put with back-pressure, get, `task_done`, `join`) on a plain
deque, with the checks the request path makes as attribute reads: a record handed over cost ~15
Python calls of `asyncio.Queue` (`full` and `qsize` three times, `put_nowait`, `_put`,
`_wakeup_next`, `get_nowait`, `empty`, `task_done`...), ~4% of a request's bytecodes for the usage
and decision records. Order is kept (FIFO), a put never drops: it waits for room.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Backlog(Generic[T]):
    """`items` is read by the consumer (`take`); `unfinished` counts what was put and not yet
    `done`. Only the writer's task may `get` / `take` (one consumer)."""

    __slots__ = ("_getter", "_idle", "_putters", "items", "maxsize", "unfinished")

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.items: deque[T] = deque()
        self.maxsize = maxsize
        self.unfinished = 0
        self._getter: asyncio.Future[None] | None = None
        self._putters: deque[asyncio.Future[None]] = deque()
        self._idle: asyncio.Event | None = None  # made when someone `join`s

    def __len__(self) -> int:
        return len(self.items)

    def full(self) -> bool:
        return len(self.items) >= self.maxsize

    def put_nowait(self, item: T) -> None:
        """Append (the caller checked `full`)."""
        self.items.append(item)
        self.unfinished += 1
        getter = self._getter
        if getter is not None:
            self._getter = None
            if not getter.done():
                getter.set_result(None)

    async def put(self, item: T) -> None:
        """Append once there is room (back-pressure), in the order the putters came."""
        while len(self.items) >= self.maxsize or self._putters:
            putter = asyncio.get_running_loop().create_future()
            self._putters.append(putter)
            try:
                await putter
            except BaseException:
                putter.cancel()
                if putter in self._putters:
                    self._putters.remove(putter)
                else:  # woken, then cancelled: pass the room on
                    self._wake_putter()
                raise
            if len(self.items) < self.maxsize:
                break
        self.put_nowait(item)
        self._wake_putter()  # room may remain for the next one

    async def get(self) -> T:
        """The oldest item, waiting for one."""
        while not self.items:
            getter = self._getter = asyncio.get_running_loop().create_future()
            try:
                await getter
            finally:
                self._getter = None
        return self.take()

    def take(self) -> T:
        """The oldest item (there is one)."""
        item = self.items.popleft()
        if self._putters:
            self._wake_putter()
        return item

    def done(self, count: int) -> None:
        """`count` items taken are finished (written or spilled)."""
        self.unfinished -= count
        if self.unfinished <= 0:
            self.unfinished = 0
            if self._idle is not None:
                self._idle.set()

    async def join(self) -> None:
        """Until every item put so far is done."""
        while self.unfinished > 0:
            if self._idle is None:
                self._idle = asyncio.Event()
            self._idle.clear()
            await self._idle.wait()

    def _wake_putter(self) -> None:
        while self._putters and len(self.items) < self.maxsize:
            putter = self._putters.popleft()
            if not putter.done():
                putter.set_result(None)
                return
