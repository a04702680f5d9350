"""The store interface: usage records, decisions, gateway keys, BYOK keys, bench results.

Backends (`sqlite` default, `postgres`) share one schema and append-only migrations. The
request path never awaits a write of usage: it hands records to `UsageWriter`, which batches
them and applies back-pressure (never drops) when the queue is full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from benchroute.quickinit import quick_init


@dataclass(slots=True)
class UsageRecord:
    id: str  # same as the decision id
    time: datetime
    project: str
    key_id: str | None
    session_key: str | None
    client_name: str | None
    client_version: str | None
    api_kind: str
    requested_model: str
    tier: str
    routed_model: str
    provider: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    status: int = 200
    error: str | None = None
    decision_id: str | None = None
    stream: bool = False
    mode: str | None = None
    task_id: str | None = None
    parent_task_id: str | None = None
    editor_name: str | None = None
    machine_id: str | None = None
    user_agent: str | None = None
    frontier_cost_usd: float | None = None
    # why the always-Frontier model could not have served it ("context", "tools", "vision", "api"):
    # no saving is counted for it (None: it could, or the record predates the check)
    frontier_unfit: str | None = None


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: str  # public key id (prefix shown in listings)
    project: str
    name: str = ""
    admin: bool = False
    created: datetime | None = None
    revoked: bool = False
    parent: str | None = None  # the key this one was created with: revoked with it


@quick_init
@dataclass(frozen=True, slots=True)
class DecisionRecord:
    id: str
    time: datetime
    project: str
    session_key: str | None
    decision: dict[str, Any]  # Decision.to_dict()


@dataclass(frozen=True, slots=True)
class UsageSummaryRow:
    group: dict[str, Any]  # e.g. {"model": ..., "day": ...}
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    frontier_cost_usd: float = 0.0
    # extra: "cached_tokens", "errors" (status >= 400), "priced_cost_usd" (cost of the requests that
    # have a frontier cost, so savings = frontier_cost_usd - priced_cost_usd)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One scored attempt of one model on one benchmark task."""

    run_id: str
    suite: str
    task_id: str
    model: str  # catalog id
    provider: str
    task_type: str
    difficulty: str
    score: float  # 0..1
    passed: bool
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    latency_ms: float
    time: datetime
    checker: str = ""  # "unit_tests", "exact", "regex", "json_schema", "ast", "judge:<model>"
    reason: str = ""  # why it failed, when it did
    source: str = ""  # task provenance, e.g. "humaneval (MIT)"
    # an agent attempt's statistics (turns, tool calls, malformed calls, driver, ...) as JSON; None
    # for single-turn results. The store keeps it as given; `bench.agent.record` reads it.
    agent_stats: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """One change of a project's settings overrides (who, when, what it became)."""

    time: datetime
    project: str
    actor: str
    values: dict[str, Any]  # the full override set after the change


class Store(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    # usage
    async def write_usage(self, records: Sequence[UsageRecord]) -> None: ...

    async def write_batch(self, usage: Sequence[UsageRecord], decisions: Sequence[DecisionRecord]) -> None:
        """One writer batch: `write_decisions(decisions)` and `write_usage(usage)`, in one
        transaction where the backend can (SQLite's direct path); as idempotent as they are."""
        ...

    async def usage_summary(
        self,
        *,
        project: str | None,
        group_by: Sequence[str],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[UsageSummaryRow]: ...

    async def list_usage(
        self, *, project: str | None, limit: int = 100, **filters: Any
    ) -> list[UsageRecord]: ...

    # decisions
    async def write_decisions(self, records: Sequence[DecisionRecord]) -> None: ...

    async def get_decision(self, decision_id: str, *, project: str | None) -> DecisionRecord | None: ...

    async def list_decisions(
        self, *, project: str | None, session_key: str | None = None, limit: int = 100
    ) -> list[DecisionRecord]: ...

    # gateway keys (hashed at rest); `create_key` returns the secret once
    async def create_key(
        self, project: str, *, name: str = "", admin: bool = False, parent: str | None = None
    ) -> tuple[KeyInfo, str]: ...

    async def verify_key(self, secret: str) -> KeyInfo | None: ...

    async def list_keys(self, project: str | None = None) -> list[KeyInfo]: ...

    async def revoke_key(self, key_id: str) -> bool:
        """Revoke the key and every key created from it (`KeyInfo.parent`, transitively)."""
        ...

    # bring-your-own provider keys, encrypted at rest
    async def set_provider_key(self, project: str, provider: str, secret: str) -> None: ...

    async def get_provider_key(self, project: str, provider: str) -> str | None: ...

    async def list_provider_keys(self, project: str) -> list[tuple[str, str]]: ...  # (provider, masked)

    async def delete_provider_key(self, project: str, provider: str) -> bool: ...

    # benchmark results
    async def write_bench_results(self, results: Sequence[BenchResult]) -> None: ...

    async def list_bench_results(
        self, *, run_id: str | None = None, suite: str | None = None, model: str | None = None
    ) -> list[BenchResult]: ...

    # per-project settings overrides (changed from the dashboard); every change is logged
    async def get_project_settings(self, project: str) -> dict[str, Any] | None: ...

    async def set_project_settings(
        self, project: str, values: dict[str, Any], *, actor: str = ""
    ) -> None: ...

    async def list_settings_changes(
        self, *, project: str | None = None, limit: int = 100
    ) -> list[SettingsChange]: ...
