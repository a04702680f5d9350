"""Gateway fixtures (the harness lives in gateway_harness.py: conftest modules are not importable)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from gateway_harness import GatewayFactory, start_gateway


@pytest.fixture
async def gateway() -> AsyncIterator[GatewayFactory]:
    async with start_gateway() as make:
        yield make
