"""What a Decision says beyond the tier's own sentence, worked out once the tier has chosen:

- a substitute: the tier's configured model (the Frontier model for the role, the Balanced model
  for the API kind) could not serve the request, and another serves it: which, and why (context
  window, tools, images, API, not allowed, no key, cooling down);
- models the Efficient rule left out while they cool down;
- the always-Frontier comparison: when the Frontier model could not have served the request
  (capabilities), no saving is counted against it (`Decision.frontier_unfit`), and the Decision
  quotes no share of its cost;
- the expected cost of every fallback (`Decision.fallback_costs`), so a failover's record can say
  what the model that served was expected to cost.

Pure, like the tiers: `annotate(decision, call, ...)` returns the Decision with these added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.quickinit import quick_replace
from benchroute.routing.call import Call
from benchroute.routing.capabilities import ANSWER_ROOM, Needs, unmet
from benchroute.routing.decision import Decision
from benchroute.routing.evidence import split_variant
from benchroute.routing.policy import PolicyTable, expected_cost
from benchroute.routing.tiers import (
    FRONTIER,
    Defaults,
    FrontierRole,
    balanced_order,
    frontier_model,
    frontier_order,
    frontier_role,
)
from benchroute.settings import TierSettings

ROLES: tuple[FrontierRole, ...] = get_args(FrontierRole)
# Reasons a Decision is served by the Balanced model for the API kind (Balanced, or a fallback to it).
BALANCED_REASONS = frozenset({"balanced", "general", "low_confidence", "no_evidence", "client_version"})

_WHY = {
    "catalog": "is not in the catalog",
    "not_allowed": "is not in this project's allowed_models",
    "no_key": "cannot be called from here (its provider has no API key set)",
    "tools": "does not support tool calls, and the request has tools",
    "vision": "does not accept images, and the request has some",
    "api": "is offered only on the Responses API, which the gateway does not call upstream",
    "cooldown": "is cooling down after upstream failures",
}


def why_text(reason: str, info: ModelInfo | None, needs: Needs) -> str:
    """A reason code of `Call.why_not` (or "cooldown") as the rest of a sentence about a model."""
    if reason == "context" and info is not None:
        return (
            f"its context window ({info.context:,} tokens) cannot hold the prompt (about "
            f"{needs.tokens:,} tokens) plus {ANSWER_ROOM:,} kept for the answer"
        )
    return _WHY.get(reason, reason)


def _configured(
    decision_tier: str, reason: str, call: Call, tiers: TierSettings, defaults: Defaults
) -> tuple[str, str] | None:
    """(what it is, model id): the model the tier is configured to serve this Decision with."""
    if decision_tier == FRONTIER and reason.startswith("frontier_"):
        role = reason.removeprefix("frontier_")
        order = frontier_order("reasoning" if role == "reasoning" else "implementation", tiers, defaults)
        return (f"Frontier {role} model", order[0]) if order else None
    if reason in BALANCED_REASONS:
        kind = call.request.context.api_kind
        order = balanced_order(kind, tiers, defaults)
        return (f"Balanced model for {kind} requests", order[0]) if order else None
    return None


def _substitute(
    decision_model: str, what: str, configured: str, call: Call, catalog: Catalog
) -> tuple[str, str]:
    """(the sentence, the reason code) when `configured` could not serve and another does."""
    base = split_variant(configured)[0]
    if base == decision_model:
        return "", ""
    reason = call.why_not(configured, catalog)
    if not reason and base in call.ctx.unavailable:
        reason = "cooldown"
    if not reason:
        return "", ""
    why = why_text(reason, catalog.get(base), call.needs)
    sentence = (
        f" The configured {what}, {base}, cannot serve this request: {_subject(why)}; "
        f"{decision_model} serves it instead."
    )
    return sentence, reason


def annotate(
    decision: Decision,
    call: Call,
    catalog: Catalog,
    table: PolicyTable,
    tiers: TierSettings,
    defaults: Defaults,
    savings: Mapping[str, ModelInfo | None],
) -> Decision:
    """The Decision of an auto tier with the substitute, cooldown and always-Frontier sentences and
    the fallbacks' expected costs (module docstring). `savings`: `savings_models(catalog, tiers,
    defaults)`, which the caller keeps (it depends only on them)."""
    extra = ""
    configured = _configured(decision.tier, decision.reason, call, tiers, defaults)
    said = ("", "")  # the model whose shortfall a sentence already gave, and that shortfall
    if configured is not None:
        substitute, reason = _substitute(decision.model, configured[0], configured[1], call, catalog)
        extra += substitute
        said = (split_variant(configured[1])[0], reason) if substitute else said
    # a "cooldown" note needs a model in cooldown
    cooling = [c.model for c in decision.candidates if c.note == "cooldown"] if call.ctx.unavailable else []
    if cooling:
        extra += f" Left out while cooling down after upstream failures: {', '.join(cooling[:4])}."
    frontier_cost = decision.frontier_cost
    if decision.frontier_model and frontier_cost is not None:
        info = catalog.get(decision.frontier_model)
        if info is not None and unmet(info, call.needs) and decision.frontier_model != decision.model:
            frontier_cost = None  # it could not have served it: no cost to compare with
    unfit, compared = _savings_frontier(call, savings)
    if unfit and compared is not None:
        why = "" if said == (compared.id, unfit) else f" ({_subject(why_text(unfit, compared, call.needs))})"
        extra += (
            " No saving is counted for this request: savings compare with the configured Frontier "
            f"model, {compared.id}, which could not have served it{why}."
        )
    return quick_replace(
        decision,
        explanation=decision.explanation + extra,
        frontier_cost=frontier_cost,
        frontier_unfit=unfit,
        fallback_costs=_costs(decision, call, catalog, table),
    )


def savings_models(catalog: Catalog, tiers: TierSettings, defaults: Defaults) -> dict[str, ModelInfo | None]:
    """Per Frontier role, the catalog entry of the model savings compare with (None: none)."""
    out: dict[str, ModelInfo | None] = {}
    for role in ROLES:
        model = frontier_model(role, tiers, defaults)
        out[role] = catalog.get(model) if model else None
    return out


def _savings_frontier(call: Call, savings: Mapping[str, ModelInfo | None]) -> tuple[str, ModelInfo | None]:
    """Whether the model savings compare with (`savings.FrontierPricer`: the Frontier model for the
    request's mode, from `savings_models`) could have served it: (its unmet need or "", the model)."""
    info = savings[frontier_role(call.request.context.mode, None)]
    if info is None:
        return "", None
    return unmet(info, call.needs), info


def _subject(why: str) -> str:
    return why if why.startswith("its ") else f"it {why}"


def _costs(decision: Decision, call: Call, catalog: Catalog, table: PolicyTable) -> dict[str, float]:
    """Expected USD of this request on the chosen model and each fallback: the candidate's figure
    when the Decision lists it (at the cells' completion tokens), else at the default tokens."""
    out: dict[str, float] = {}
    if decision.expected_cost is not None:
        out[decision.model] = decision.expected_cost
    wanted = set(decision.fallbacks) - out.keys()
    if wanted and decision.candidates:  # the candidates, most accurate first, until all are found
        for c in decision.candidates:
            base = split_variant(c.model)[0] if "@" in c.model else c.model
            if base in wanted and c.expected_cost is not None:
                out[base] = c.expected_cost
                wanted.discard(base)
                if not wanted:
                    break
    for model in decision.fallbacks:
        if model not in out:
            cost = expected_cost(catalog, table, model, None, call.prompt_tokens)
            if cost is not None:
                out[model] = cost
    return out
