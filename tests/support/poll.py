"""Waiting for something to become true in a test: poll it, with a deadline (never a fixed sleep
that bets on how long the machine takes)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]] | Callable[[], T],
    *,
    within: float = 15.0,
    interval: float = 0.02,
    what: str = "the condition",
) -> T:
    """Call `probe` until it returns something truthy, and return that; AssertionError naming
    `what` (and the last value seen) when `within` seconds pass first."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {within:g} s (last seen: {value!r})")
        await asyncio.sleep(interval)
