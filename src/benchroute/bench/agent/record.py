"""What one agent attempt records beyond pass/fail, and how it rides in a stored `BenchResult`.

The statistics are the result's `agent_stats` (a JSON column, migration 0003): `stats_of` reads
them back. Rows written before that column carried them at the end of `reason`, as
`<reason> ⟦agent {json}⟧`; `stats_of` and `reason_of` still read those. Agent results are filed
under the suite `<suite>.<driver>` (e.g. `agent.builtin`), so each driver's results are their own
evidence (and their own leaderboard section) and resume independently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from benchroute.bench.tasks import Task
from benchroute.store.base import BenchResult

MALFORMED_KINDS = ("bad_json", "bad_args", "unknown_tool", "no_tool_call")
_LEGACY_OPEN, _LEGACY_CLOSE = " ⟦agent ", "⟧"  # rows written before agent_stats


@dataclass(slots=True)
class AgentStats:
    driver: str
    driver_version: str
    effort: str | None = None  # the model variant / reasoning effort the attempt asked for
    turns: int = 0
    tool_calls: int = 0
    malformed: dict[str, int] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    wall_s: float = 0.0
    stop: str = "finished"  # finished | max_turns | timeout | client_error

    @property
    def malformed_total(self) -> int:
        return sum(self.malformed.values())

    def count_malformed(self, kind: str) -> None:
        self.malformed[kind] = self.malformed.get(kind, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> AgentStats:
        known = {k: doc[k] for k in cls.__dataclass_fields__ if k in doc}
        return cls(**known)


def _split_legacy(reason: str) -> tuple[str, AgentStats | None]:
    """(grader's reason, statistics) of a `reason` written before `agent_stats` existed."""
    head, sep, tail = reason.partition(_LEGACY_OPEN)
    if not sep or not tail.endswith(_LEGACY_CLOSE):
        return reason, None
    try:
        return head, AgentStats.from_dict(json.loads(tail[: -len(_LEGACY_CLOSE)]))
    except (ValueError, TypeError):
        return reason, None


def stats_of(result: BenchResult) -> AgentStats | None:
    """The agent statistics of a stored result (None for a single-turn result)."""
    if result.agent_stats is not None:
        try:
            return AgentStats.from_dict(result.agent_stats)
        except TypeError:  # a required field missing: not statistics this version can read
            return None
    return _split_legacy(result.reason)[1]


def reason_of(result: BenchResult) -> str:
    """The grader's reason, without the statistics old rows carried at its end."""
    return _split_legacy(result.reason)[0]


def suite_for(suite: str, driver: str) -> str:
    return f"{suite}.{driver}"


def for_driver(tasks: Iterable[Task], driver: str) -> list[Task]:
    """The tasks with each agent task's suite renamed `<suite>.<driver>` (others unchanged)."""
    return [replace(t, suite=suite_for(t.suite, driver)) if t.checker_kind == "agent" else t for t in tasks]


@dataclass(frozen=True, slots=True)
class ToolUse:
    """Per (model, driver): how an agent uses tools, over its attempts."""

    model: str
    driver: str
    attempts: int
    passed: int
    tool_calls: int  # calls the model emitted, well-formed or not
    malformed: int  # malformed calls plus replies that should have been a call
    mean_turns: float
    missing_calls: int = 0  # replies with no tool call where one was required

    @property
    def malformed_rate(self) -> float:
        """Malformed per chance to call a tool (every emitted call, every reply that should have been one)."""
        return self.malformed / max(1, self.tool_calls + self.missing_calls)


def tool_use(results: Iterable[BenchResult]) -> list[ToolUse]:
    """Per model and driver, from stored agent results (others are ignored)."""
    groups: dict[tuple[str, str], list[AgentStats]] = {}
    passed: dict[tuple[str, str], int] = {}
    for r in results:
        stats = stats_of(r)
        if stats is None:
            continue
        key = (r.model, stats.driver)
        groups.setdefault(key, []).append(stats)
        passed[key] = passed.get(key, 0) + int(r.passed)
    return [
        ToolUse(
            model=model,
            driver=driver,
            attempts=len(group),
            passed=passed[(model, driver)],
            tool_calls=sum(s.tool_calls for s in group),
            malformed=sum(s.malformed_total for s in group),
            mean_turns=sum(s.turns for s in group) / len(group),
            missing_calls=sum(s.malformed.get("no_tool_call", 0) for s in group),
        )
        for (model, driver), group in sorted(groups.items())
    ]
