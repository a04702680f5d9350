"""The tiers a client can ask for, and the models behind Balanced and Frontier.

Tier ids and aliases are shared with the static router (`routing.static.TIER_ALIASES`). The
Balanced and Frontier models come from the evidence (`evidence_defaults`), and the config's
`[tiers]` overrides any of them:

- Frontier per mode group: the most accurate model measured on the group's routes
  (reasoning: plan, debug, review, explain; implementation: implement, refactor, tests, command).
- Balanced per API kind: among models measured on at least half of the routes a benchmark covers,
  and at least as accurate there as the median of those models, the cheapest for a typical call
  (8,000 prompt + 600 completion tokens, times a reasoning variant's effort factor); for the
  messages API a model served on that API first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np

from benchroute.routing.evidence import split_variant
from benchroute.routing.policy import PolicyTable
from benchroute.routing.static import AUTO_TIERS, TIER_ALIASES, normalise_tier
from benchroute.routing.taxonomy import cell
from benchroute.settings import TierSettings

EFFICIENT: Final = "auto/efficient"
FRONTIER: Final = "auto/frontier"
BALANCED: Final = "auto/balanced"
FREE: Final = "auto/free"

FrontierRole = Literal["reasoning", "implementation"]
ROLE_ROUTES: Final[dict[str, tuple[str, ...]]] = {
    "reasoning": ("plan", "debug", "review", "explain"),
    "implementation": ("implement", "refactor", "tests", "command"),
}
API_KINDS: Final = ("chat", "messages", "responses")
TYPICAL_CALL: Final = (8_000, 600)  # prompt, completion tokens

REASONING_MODES: Final = frozenset({"plan", "architect", "debug", "orchestrator", "ask"})
IMPLEMENTATION_MODES: Final = frozenset({"code", "build", "explore"})
# Without a mode, the classified task type decides: thinking work -> reasoning model.
REASONING_TASKS: Final = frozenset({"plan", "debug", "review", "explain", "general"})

__all__ = [
    "AUTO_TIERS",
    "BALANCED",
    "EFFICIENT",
    "FREE",
    "FRONTIER",
    "TIER_ALIASES",
    "Defaults",
    "balanced_order",
    "evidence_defaults",
    "frontier_model",
    "frontier_order",
    "frontier_role",
    "mode_role",
    "normalise_tier",
]


@dataclass(frozen=True, slots=True)
class Defaults:
    """Evidence-ranked models per API kind (Balanced) and per role (Frontier), best first."""

    balanced: dict[str, tuple[str, ...]] = field(default_factory=dict)
    frontier: dict[str, tuple[str, ...]] = field(default_factory=dict)


def mode_role(mode: str | None) -> FrontierRole | None:
    """The Frontier role a client mode asks for, or None when the mode does not say."""
    if not mode:
        return None
    m = mode.strip().lower()
    if m in REASONING_MODES:
        return "reasoning"
    if m in IMPLEMENTATION_MODES:
        return "implementation"
    return None


def frontier_role(mode: str | None, task_type: str | None) -> FrontierRole:
    """Mode first; else the task type; else implementation (most coding traffic writes code)."""
    role = mode_role(mode)
    if role is not None:
        return role
    if task_type is not None and task_type in REASONING_TASKS:
        return "reasoning"
    return "implementation"


def _unique(models: list[str | None]) -> list[str]:
    out: list[str] = []
    for model in models:
        if model and model not in out:
            out.append(model)
    return out


def frontier_order(role: FrontierRole, tiers: TierSettings, defaults: Defaults) -> list[str]:
    """Frontier models for a role, best first: the configured one, then the evidence ranking."""
    return _unique([tiers.frontier.get(role), *defaults.frontier.get(role, ())])


def frontier_model(role: FrontierRole, tiers: TierSettings, defaults: Defaults | None = None) -> str:
    """The Frontier model's catalog id for a role: the configured one, else the first of the
    evidence ranking ("" when neither says)."""
    ranking = frontier_order(role, tiers, defaults or Defaults())
    return split_variant(ranking[0])[0] if ranking else ""


def balanced_order(api_kind: str, tiers: TierSettings, defaults: Defaults) -> list[str]:
    """Balanced models to try for an API kind, best first, without duplicates: the configured one
    for this kind, the configured default, the evidence ranking for the kind, then the other
    kinds' (configured, then evidence)."""
    others = [k for k in sorted(set(tiers.balanced) | set(defaults.balanced)) if k != api_kind]
    return _unique(
        [
            tiers.balanced.get(api_kind),
            tiers.default,
            *defaults.balanced.get(api_kind, ()),
            *(tiers.balanced.get(k) for k in others),
            *(m for k in others for m in defaults.balanced.get(k, ())),
        ]
    )


def _route_means(table: PolicyTable, routes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per model: mean agent A at medium over `routes`, share of them measured, and the widest
    interval among the measured ones."""
    cols = [table.index[cell(r, "medium")] for r in routes]
    acc = table.estimate[1][:, cols].mean(axis=1)
    on = table.measured[:, cols]
    width = np.where(on > 0, table.high[1][:, cols] - table.low[1][:, cols], 0.0).max(axis=1)
    return acc, on.mean(axis=1), width


def evidence_defaults(table: PolicyTable) -> Defaults:
    """Balanced and Frontier rankings from the evidence (module docstring)."""
    if not table.models:
        return Defaults()
    limit = table.params.max_width
    frontier: dict[str, tuple[str, ...]] = {}
    for role, routes in ROLE_ROUTES.items():
        acc, measured, width = _route_means(table, routes)
        ok = np.flatnonzero((measured >= 0.5) & (width <= limit))
        if not len(ok):  # nobody measured on half the group's routes: measured on any of them
            ok = np.flatnonzero((measured > 0) & (width <= limit))
        ranked = ok[np.lexsort((ok, -acc[ok]))]
        frontier[role] = tuple(table.models[i] for i in ranked[:5])
    bench_routes = tuple(sorted(table.direct_routes))
    acc, measured, width = _route_means(table, bench_routes)
    prompt, completion = TYPICAL_CALL
    cost = (prompt * table.input_price + completion * table.effort_factor * table.output_price) / 1e6
    fit = (measured >= 0.5) & (width <= limit) & table.tools & table.api_ok
    if fit.any():
        fit &= acc >= float(np.median(acc[fit]))
    balanced: dict[str, tuple[str, ...]] = {}
    for kind in API_KINDS:
        native = np.array([kind in m.apis for m in table.info], dtype=bool)
        pick = fit & native if (fit & native).any() else fit
        idx = np.flatnonzero(pick)
        ranked = idx[np.lexsort((idx, -acc[idx], cost[idx]))]
        balanced[kind] = tuple(table.models[i] for i in ranked[:5])
    return Defaults(balanced, frontier)
