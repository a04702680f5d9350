"""Fixtures for provider tests: a scripted upstream on loopback and a shared client session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from benchroute.providers.client import UpstreamClient
from benchroute.providers.http import create_session
from support.upstream import ScriptedUpstream


@pytest.fixture
async def upstream() -> AsyncIterator[ScriptedUpstream]:
    async with ScriptedUpstream() as up:
        yield up


@pytest.fixture
async def session() -> AsyncIterator[UpstreamClient]:
    s = create_session(connect_timeout=2.0, read_timeout=5.0)
    yield s
    await s.close()
