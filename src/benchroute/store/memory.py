"""`MemoryStore`: the whole `Store` protocol in process memory (tests, `store.url = "memory://"`).

Same semantics as the SQL backends: gateway keys are kept only as hashes, BYOK keys only as
ciphertext, writes of usage and decisions are idempotent on their id.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from benchroute.store import keys
from benchroute.store.base import (
    BenchResult,
    DecisionRecord,
    KeyInfo,
    SettingsChange,
    UsageRecord,
    UsageSummaryRow,
)
from benchroute.store.crypto import KeyBox, mask
from benchroute.store.query import GROUPS, check_filters, check_group_by, sort_rows, to_utc


@dataclass(slots=True)
class _KeyRow:
    info: KeyInfo
    hash: str


class MemoryStore:
    def __init__(self, *, secret: str | None = None) -> None:
        # Without a server secret, a random one: keys stay encrypted, and die with the process anyway.
        self._box = KeyBox(secret or secrets.token_urlsafe(32))
        self._usage: dict[str, UsageRecord] = {}
        self._decisions: dict[str, DecisionRecord] = {}
        self._keys: dict[str, _KeyRow] = {}
        self._provider_keys: dict[tuple[str, str], tuple[str, str]] = {}  # -> (ciphertext, masked)
        self._bench: list[BenchResult] = []
        self._project_settings: dict[str, dict[str, Any]] = {}
        self._changes: list[SettingsChange] = []
        self.started = False

    def __repr__(self) -> str:
        return f"MemoryStore(usage={len(self._usage)}, decisions={len(self._decisions)})"

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.started = False

    # usage
    async def write_usage(self, records: Sequence[UsageRecord]) -> None:
        for r in records:
            if r.id not in self._usage:
                self._usage[r.id] = replace(r, time=to_utc(r.time))

    async def usage_summary(
        self,
        *,
        project: str | None,
        group_by: Sequence[str],
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[UsageSummaryRow]:
        groups = check_group_by(group_by)
        acc: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in self._select(project, since, until):
            values = tuple(_group_value(r, g) for g in groups)
            a = acc.setdefault(
                values,
                {
                    "requests": 0,
                    "prompt": 0,
                    "completion": 0,
                    "cost": 0.0,
                    "frontier": 0.0,
                    "cached": 0,
                    "errors": 0,
                    "priced": 0.0,
                },
            )
            a["requests"] += 1
            a["prompt"] += r.prompt_tokens
            a["completion"] += r.completion_tokens
            a["cached"] += r.cached_tokens
            a["cost"] += r.cost_usd
            a["frontier"] += r.frontier_cost_usd or 0.0
            a["priced"] += r.cost_usd if r.frontier_cost_usd is not None else 0.0
            a["errors"] += 1 if r.status >= 400 else 0
        rows = [
            UsageSummaryRow(
                group=dict(zip(groups, values, strict=True)),
                requests=a["requests"],
                prompt_tokens=a["prompt"],
                completion_tokens=a["completion"],
                cost_usd=a["cost"],
                frontier_cost_usd=a["frontier"],
                extra={"cached_tokens": a["cached"], "errors": a["errors"], "priced_cost_usd": a["priced"]},
            )
            for values, a in acc.items()
        ]
        return sort_rows(rows, groups)

    async def list_usage(self, *, project: str | None, limit: int = 100, **filters: Any) -> list[UsageRecord]:
        check_filters(filters)
        since, until = filters.pop("since", None), filters.pop("until", None)
        out = [
            r
            for r in self._select(project, since, until)
            if all(getattr(r, name) == value for name, value in filters.items())
        ]
        out.sort(key=lambda r: (r.time, r.id), reverse=True)
        return out[:limit]

    def _select(
        self, project: str | None, since: datetime | None, until: datetime | None
    ) -> list[UsageRecord]:
        lo = to_utc(since) if since else None
        hi = to_utc(until) if until else None
        return [
            r
            for r in self._usage.values()
            if (project is None or r.project == project)
            and (lo is None or r.time >= lo)
            and (hi is None or r.time < hi)
        ]

    async def write_batch(self, usage: Sequence[UsageRecord], decisions: Sequence[DecisionRecord]) -> None:
        await self.write_decisions(decisions)
        await self.write_usage(usage)

    # decisions
    async def write_decisions(self, records: Sequence[DecisionRecord]) -> None:
        for r in records:
            if r.id not in self._decisions:
                self._decisions[r.id] = replace(r, time=to_utc(r.time), decision=copy.deepcopy(r.decision))

    async def get_decision(self, decision_id: str, *, project: str | None) -> DecisionRecord | None:
        r = self._decisions.get(decision_id)
        if r is None or (project is not None and r.project != project):
            return None
        return r

    async def list_decisions(
        self, *, project: str | None, session_key: str | None = None, limit: int = 100
    ) -> list[DecisionRecord]:
        out = [
            r
            for r in self._decisions.values()
            if (project is None or r.project == project)
            and (session_key is None or r.session_key == session_key)
        ]
        out.sort(key=lambda r: (r.time, r.id), reverse=True)
        return out[:limit]

    # gateway keys
    async def create_key(
        self, project: str, *, name: str = "", admin: bool = False, parent: str | None = None
    ) -> tuple[KeyInfo, str]:
        key_id, secret = keys.new_secret()
        info = KeyInfo(
            id=key_id,
            project=project,
            name=name,
            admin=admin or project == "*",
            created=datetime.now(UTC),
            parent=parent,
        )
        self._keys[key_id] = _KeyRow(info, keys.hash_secret(secret))
        return info, secret

    async def verify_key(self, secret: str) -> KeyInfo | None:
        key_id = keys.key_id_of(secret)
        row = self._keys.get(key_id) if key_id else None
        if not keys.hash_matches(secret, row.hash if row else None) or row is None:
            return None
        return None if row.info.revoked else row.info

    async def list_keys(self, project: str | None = None) -> list[KeyInfo]:
        infos = [r.info for r in self._keys.values() if project is None or r.info.project == project]
        return sorted(infos, key=lambda i: (i.created or datetime.min.replace(tzinfo=UTC), i.id))

    async def revoke_key(self, key_id: str) -> bool:
        row = self._keys.get(key_id)
        if row is None or row.info.revoked:
            return False
        frontier = {key_id}
        while frontier:
            for kid in frontier:
                self._keys[kid].info = replace(self._keys[kid].info, revoked=True)
            frontier = {
                r.info.id for r in self._keys.values() if r.info.parent in frontier and not r.info.revoked
            }
        return True

    # BYOK provider keys
    async def set_provider_key(self, project: str, provider: str, secret: str) -> None:
        self._provider_keys[(project, provider)] = (
            self._box.encrypt(project, provider, secret),
            mask(secret),
        )

    async def get_provider_key(self, project: str, provider: str) -> str | None:
        row = self._provider_keys.get((project, provider))
        return None if row is None else self._box.decrypt(project, provider, row[0])

    async def list_provider_keys(self, project: str) -> list[tuple[str, str]]:
        return sorted(
            (prov, masked) for (proj, prov), (_, masked) in self._provider_keys.items() if proj == project
        )

    async def delete_provider_key(self, project: str, provider: str) -> bool:
        return self._provider_keys.pop((project, provider), None) is not None

    # bench results
    async def write_bench_results(self, results: Sequence[BenchResult]) -> None:
        # a copy of agent_stats, as the SQL stores keep their own (JSON) copy
        self._bench.extend(
            replace(r, time=to_utc(r.time), agent_stats=copy.deepcopy(r.agent_stats)) for r in results
        )

    async def list_bench_results(
        self, *, run_id: str | None = None, suite: str | None = None, model: str | None = None
    ) -> list[BenchResult]:
        return [
            r
            for r in self._bench
            if (run_id is None or r.run_id == run_id)
            and (suite is None or r.suite == suite)
            and (model is None or r.model == model)
        ]

    # project settings
    async def get_project_settings(self, project: str) -> dict[str, Any] | None:
        values = self._project_settings.get(project)
        return None if values is None else copy.deepcopy(values)

    async def set_project_settings(self, project: str, values: dict[str, Any], *, actor: str = "") -> None:
        self._project_settings[project] = copy.deepcopy(values)
        self._changes.append(SettingsChange(datetime.now(UTC), project, actor, copy.deepcopy(values)))

    async def list_settings_changes(
        self, *, project: str | None = None, limit: int = 100
    ) -> list[SettingsChange]:
        out = [c for c in self._changes if project is None or c.project == project]
        return list(reversed(out))[:limit]

    # test helpers
    def raw_dump(self) -> str:
        """Everything held, as text: tests grep it to prove no secret is kept in clear."""
        return repr(
            (
                [(r.info, r.hash) for r in self._keys.values()],
                list(self._provider_keys.values()),
            )
        )


def _group_value(r: UsageRecord, group: str) -> Any:
    if group == "day":
        return to_utc(r.time).date().isoformat()
    if group == "hour":
        return to_utc(r.time).strftime("%Y-%m-%dT%H")
    return getattr(r, GROUPS[group])
