"""The seam between the bench runner and an agent: run one task for one model, return its outcome."""

from __future__ import annotations

from typing import Protocol

from benchroute.bench.agent.loop import AgentOutcome
from benchroute.bench.agent.spec import AgentSpec
from benchroute.catalog.model import ModelInfo
from benchroute.providers.base import Provider

DRIVERS = ("builtin", "kilo")


class AgentDriver(Protocol):
    name: str
    version: str

    async def attempt(self, spec: AgentSpec, info: ModelInfo, provider: Provider) -> AgentOutcome: ...
