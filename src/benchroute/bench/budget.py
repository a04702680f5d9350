"""The spending limit of one `bench run` invocation.

Before a call starts its estimated cost is reserved; spend plus reservations never pass the limit.
A reservation that does not fit while other calls are in flight waits for them to settle (their
real cost is usually far below the estimate) instead of ending the run; the run stops only when a
reservation does not fit with nothing in flight. The limit counts this invocation's spend only:
results already stored under a resumed run id are not counted again.
"""

from __future__ import annotations

import asyncio


class Budget:
    """Spend plus in-flight reservations never exceed the limit (None: no limit)."""

    def __init__(self, limit_usd: float | None) -> None:
        self.limit = limit_usd
        self.spent = 0.0
        self.reserved = 0.0
        self.in_flight = 0
        self._settled = asyncio.Condition()

    def fits(self, estimate: float) -> bool:
        return self.limit is None or self.spent + self.reserved + estimate <= self.limit

    def try_reserve(self, estimate: float) -> bool:
        if not self.fits(estimate):
            return False
        self.reserved += estimate
        self.in_flight += 1
        return True

    async def reserve(self, estimate: float) -> bool:
        """Reserve, waiting for calls in flight to settle; False when it cannot fit even then."""
        async with self._settled:
            while not self.try_reserve(estimate):
                if self.in_flight == 0:
                    return False
                await self._settled.wait()
            return True

    async def settle(self, estimate: float, actual: float) -> None:
        async with self._settled:
            self.reserved = max(0.0, self.reserved - estimate)
            self.in_flight = max(0, self.in_flight - 1)
            self.spent += actual
            self._settled.notify_all()
