"""Savings against an always-Frontier choice: the one computation behind the dashboard,
`benchroute usage` and `GET /v1/usage`.

What is compared, exactly:
- Compared requests: served (status < 400) through an automatic tier (`auto/efficient`,
  `auto/balanced`, `auto/frontier`, `auto/free`; anything but `manual` and a rejected request's
  empty tier).
- Frontier cost: each compared request's actual tokens (prompt, cached, completion) priced at the
  catalog rates of the model `auto/frontier` uses for the request's mode (`routing.tiers`: plan,
  architect, debug, orchestrator, ask -> the reasoning model; any other mode or none -> the
  implementation model).
- Billed: what those same requests cost (`cost_usd`, the served model's catalog rates).
- Saved = Frontier cost - billed. Failed requests (status >= 400) and manual requests (the client
  named the model) are left out and counted; so are requests whose Frontier model has no price,
  and requests the Frontier model could not have served (the router recorded why in the usage
  record's `frontier_unfit`: the prompt longer than its context window, tools it does not support,
  images it does not accept): crediting a saving against a model that could not have answered
  would invent one.

Prices are linear in tokens, so pricing the summed tokens of a (mode, status, tier) group equals
pricing each request and adding up: the function works on the store's usage summaries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.tiers import Defaults, FrontierRole, frontier_model, frontier_role
from benchroute.settings import TierSettings
from benchroute.store.base import Store, UsageSummaryRow

# The groups `usage_summary` must split by so savings can be computed; callers add their own.
SAVINGS_GROUPS: tuple[str, ...] = ("mode", "status", "tier", "frontier_unfit")
NOT_COMPARED_TIERS = frozenset({"manual", ""})


class FrontierPricer:
    """The always-Frontier model for a request's mode, and the price of tokens at its rates."""

    def __init__(self, catalog: Catalog, tiers: TierSettings, defaults: Defaults | None = None) -> None:
        self._catalog = catalog
        self._tiers = tiers
        self._defaults = defaults  # the evidence's Frontier ranking, read when first needed

    def _frontier(self, role: FrontierRole) -> str:
        if role not in self._tiers.frontier and self._defaults is None:
            from benchroute.routing.factory import shipped_defaults

            self._defaults = shipped_defaults(self._catalog)
        return frontier_model(role, self._tiers, self._defaults)

    def model_for(self, mode: str | None) -> ModelInfo | None:
        return self._catalog.get(self._frontier(frontier_role(mode, None)))

    def price(self, mode: str | None, prompt: int, completion: int, cached: int) -> float | None:
        model = self.model_for(mode)
        return None if model is None else model.cost(prompt, completion, cached)

    def describe(self) -> dict[str, str]:
        """role -> Frontier model id, for the pages that say what is compared."""
        return {role: self._frontier(role) for role in ("reasoning", "implementation")}


@dataclass(slots=True)
class Tally:
    """Every request of a group, and the part of it that is compared with always-Frontier."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0  # everything billed, failed and manual requests included
    errors: int = 0  # status >= 400: left out of the comparison
    errors_cost_usd: float = 0.0  # billed for failed requests (a stream that broke midway)
    manual: int = 0  # served, the client named the model: left out
    manual_cost_usd: float = 0.0
    unpriced: int = 0  # served through a tier, but the Frontier model has no catalog price
    frontier_unfit: int = 0  # served through a tier; the Frontier model could not have served it
    frontier_unfit_cost_usd: float = 0.0
    compared: int = 0
    compared_cost_usd: float = 0.0  # billed for the compared requests
    frontier_cost_usd: float = 0.0  # the compared requests' tokens at Frontier rates

    @property
    def saved_usd(self) -> float:
        return self.frontier_cost_usd - self.compared_cost_usd

    @property
    def saved_share(self) -> float | None:
        return self.saved_usd / self.frontier_cost_usd if self.frontier_cost_usd > 0 else None

    def add(self, row: UsageSummaryRow, pricer: FrontierPricer) -> None:
        """Add one summary row grouped by (at least) SAVINGS_GROUPS."""
        cached = int(row.extra.get("cached_tokens", 0))
        self.requests += row.requests
        self.prompt_tokens += row.prompt_tokens
        self.completion_tokens += row.completion_tokens
        self.cached_tokens += cached
        self.cost_usd += row.cost_usd
        if int(row.group.get("status") or 200) >= 400:
            self.errors += row.requests
            self.errors_cost_usd += row.cost_usd
            return
        if (row.group.get("tier") or "") in NOT_COMPARED_TIERS:
            self.manual += row.requests
            self.manual_cost_usd += row.cost_usd
            return
        if row.group.get("frontier_unfit"):
            self.frontier_unfit += row.requests
            self.frontier_unfit_cost_usd += row.cost_usd
            return
        frontier = pricer.price(row.group.get("mode"), row.prompt_tokens, row.completion_tokens, cached)
        if frontier is None:
            self.unpriced += row.requests
            return
        self.compared += row.requests
        self.compared_cost_usd += row.cost_usd
        self.frontier_cost_usd += frontier

    def merge(self, other: Tally) -> None:
        for f in fields(self):
            name = f.name
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "cost_usd": self.cost_usd,
            "errors": self.errors,
            "savings": {
                "compared_requests": self.compared,
                "billed_usd": self.compared_cost_usd,
                "frontier_usd": self.frontier_cost_usd,
                "saved_usd": self.saved_usd,
                "saved_share": self.saved_share,
                "left_out": {
                    "failed": self.errors,
                    "failed_cost_usd": self.errors_cost_usd,
                    "manual": self.manual,
                    "manual_cost_usd": self.manual_cost_usd,
                    "unpriced": self.unpriced,
                    "frontier_unfit": self.frontier_unfit,
                    "frontier_unfit_cost_usd": self.frontier_unfit_cost_usd,
                },
            },
        }


def tally(
    rows: Iterable[UsageSummaryRow], pricer: FrontierPricer, keys: Sequence[str]
) -> dict[tuple[Any, ...], Tally]:
    """Fold rows grouped by `keys` + SAVINGS_GROUPS into one Tally per `keys` value, in row order."""
    out: dict[tuple[Any, ...], Tally] = {}
    for row in rows:
        key = tuple(row.group.get(k) for k in keys)
        out.setdefault(key, Tally()).add(row, pricer)
    return out


def summary_groups(keys: Sequence[str]) -> list[str]:
    """What to ask `usage_summary` to group by, for a tally by `keys`."""
    return list(dict.fromkeys([*keys, *SAVINGS_GROUPS]))


async def usage_with_savings(
    store: Store,
    pricer: FrontierPricer,
    *,
    project: str | None,
    group_by: Sequence[str],
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[tuple[Any, ...], Tally]:
    """Usage and savings per `group_by` value (a tuple in `group_by` order), from the store."""
    rows = await store.usage_summary(
        project=project, group_by=summary_groups(group_by), since=since, until=until
    )
    return tally(rows, pricer, group_by)


def total(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out.merge(t)
    return out


__all__ = [
    "SAVINGS_GROUPS",
    "FrontierPricer",
    "Tally",
    "summary_groups",
    "tally",
    "total",
    "usage_with_savings",
]
