"""The tiers a client can ask for, and the shipped defaults behind them.

Tier ids and aliases are shared with the static router (`routing.static.TIER_ALIASES`); this module
adds what the benchmark-backed Router needs: which Balanced model serves each API kind, which
Frontier model serves each mode, and the order to try them in when one is unavailable.
"""

from __future__ import annotations

from typing import Final, Literal

from benchroute.routing.static import AUTO_TIERS, TIER_ALIASES, normalise_tier
from benchroute.settings import TierSettings

EFFICIENT: Final = "auto/efficient"
FRONTIER: Final = "auto/frontier"
BALANCED: Final = "auto/balanced"
FREE: Final = "auto/free"

FrontierRole = Literal["reasoning", "implementation"]

# Shipped defaults, used for any key the config leaves out. Each has evidence in the shipped
# leaderboard (docs/routing.md explains the choice).
DEFAULT_BALANCED: Final[dict[str, str]] = {
    "chat": "openai/gpt-4.1-mini",
    "messages": "anthropic/claude-3-5-haiku-20241022",
    "responses": "openai/gpt-4.1-mini",
}
DEFAULT_FRONTIER: Final[dict[str, str]] = {
    "reasoning": "openai/gpt-5",
    "implementation": "anthropic/claude-opus-4-20250514",
}

REASONING_MODES: Final = frozenset({"plan", "architect", "debug", "orchestrator", "ask"})
IMPLEMENTATION_MODES: Final = frozenset({"code", "build", "explore"})
# Without a mode, the classified task type decides: thinking work -> reasoning model.
REASONING_TASKS: Final = frozenset({"plan", "debug", "review", "explain", "general", "math"})

__all__ = [
    "AUTO_TIERS",
    "BALANCED",
    "DEFAULT_BALANCED",
    "DEFAULT_FRONTIER",
    "EFFICIENT",
    "FREE",
    "FRONTIER",
    "TIER_ALIASES",
    "balanced_order",
    "frontier_model",
    "frontier_role",
    "mode_role",
    "normalise_tier",
]


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


def frontier_model(role: FrontierRole, tiers: TierSettings) -> str:
    return tiers.frontier.get(role) or DEFAULT_FRONTIER[role]


def balanced_order(api_kind: str, tiers: TierSettings) -> list[str]:
    """Balanced models to try for an API kind, best first, without duplicates: the configured one
    for this kind, the configured default, the shipped default for the kind, then the other
    kinds' (configured, then shipped)."""
    ordered = [
        tiers.balanced.get(api_kind),
        tiers.default,
        DEFAULT_BALANCED.get(api_kind),
        *(v for k, v in sorted(tiers.balanced.items()) if k != api_kind),
        *(v for k, v in sorted(DEFAULT_BALANCED.items()) if k != api_kind),
    ]
    out: list[str] = []
    for model in ordered:
        if model and model not in out:
            out.append(model)
    return out
