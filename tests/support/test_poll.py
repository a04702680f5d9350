"""The polling helper: returns the first truthy value, fails with a message at the deadline."""

from __future__ import annotations

import pytest

from support.poll import eventually


async def test_returns_the_first_truthy_value_of_a_sync_or_async_probe() -> None:
    calls = iter([0, 0, 7, 9])
    assert await eventually(lambda: next(calls), interval=0) == 7

    seen: list[int] = []

    async def probe() -> list[int]:
        seen.append(1)
        return seen if len(seen) == 3 else []

    assert await eventually(probe, interval=0) == [1, 1, 1]


async def test_fails_naming_the_condition_and_the_last_value() -> None:
    expected = r"the queue drains did not hold within 0.05 s \(last seen: \[\]\)"
    with pytest.raises(AssertionError, match=expected):
        await eventually(list, within=0.05, what="the queue drains")
