"""The Decision: what the router chose for one request, and everything needed to explain why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from benchroute.quickinit import quick_init
from benchroute.wire.canonical import ChatRequest

Reason = Literal[
    "manual",  # a catalog id was asked for
    "cheapest_above_bar",  # efficient: cheapest model with A(m) >= bar
    "best_accuracy",  # efficient at dial 1: highest A(m)
    "low_confidence",  # classifier unsure -> Balanced
    "no_evidence",  # no model has evidence for the cells -> Balanced
    "general",  # not about code -> Balanced
    "frontier_reasoning",
    "frontier_implementation",
    "balanced",
    "free_pool",
    "client_version",  # client older than the configured minimum -> Balanced
    "session_stay",
    "session_escalate",
    "session_downshift",
    "session_tool_loop",
    "forced_by_failure",
    "default",  # a configured default, before auto routing existed for this tier
]

SessionAction = Literal["none", "new", "stay", "escalate", "downshift", "forced_by_failure"]


@dataclass(slots=True)
class Candidate:
    """One model as the policy saw it for a request. Not frozen: a Decision lists up to ~90 of
    them, and a frozen dataclass takes four times as long to build (each field set through
    `object.__setattr__`); treat it as read-only."""

    model: str
    expected_accuracy: float | None  # A(m); None when the model has no evidence
    expected_cost: float | None  # USD for this request at the cells' mean tokens
    eligible: bool = True
    note: str = ""  # why not eligible: "not_allowed", "no_evidence", "wide_interval", "tools", ...
    low: float | None = None  # the interval of A(m)
    high: float | None = None
    coverage: float | None = None  # share of P(c) on cells where the model is measured


@quick_init
@dataclass(frozen=True, slots=True)
class Decision:
    model: str  # catalog id that should serve the request
    tier: str  # normalised tier id ("auto/efficient", ...) or "manual"
    reason: str
    requested_model: str = ""
    id: str = ""  # assigned by the caller that records it
    cells: dict[str, float] = field(default_factory=dict)  # P(cell | request), top cells
    confidence: float | None = None
    candidates: tuple[Candidate, ...] = ()
    bar: float | None = None
    dial: float | None = None
    session_key: str | None = None
    session_action: SessionAction = "none"
    session_note: str = ""
    frontier_model: str | None = None
    frontier_cost: float | None = None  # what an always-Frontier choice would have cost
    expected_cost: float | None = None
    fallbacks: tuple[str, ...] = ()  # next candidates, in order, for failover before first byte
    explanation: str = ""  # one human sentence
    reasoning_effort: str | None = None  # the variant the evidence was measured at: pin it upstream
    replaced_effort: str | None = None  # the client's own effort, replaced upstream by reasoning_effort
    setting: str | None = None  # "agent" or "single": which evidence the request was routed on
    keyed: bool | None = None  # False: the chosen model's provider has no key here (Router.default)
    warnings: tuple[str, ...] = ()  # caveats the caller should see (a manual model that lacks a need)
    # expected USD of this request on the chosen model and on each fallback, for the record of a
    # failover (what the fallback that served was expected to cost)
    fallback_costs: dict[str, float] = field(default_factory=dict)
    # why the always-Frontier model of the savings comparison could not have served this request
    # ("context", "tools", "vision", "api"; "" when it could): no saving is counted for it
    frontier_unfit: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pin_effort(request: ChatRequest, decision: Decision) -> tuple[ChatRequest, Decision]:
    """The request as it goes upstream, and the Decision that says so (docs/routing.md, "Reasoning
    effort").

    An auto tier's choice is a variant, a model at the effort its evidence was measured at: that
    effort is sent, replacing the client's own (an Anthropic client's thinking budget too), and
    `replaced_effort` records the effort the client asked for when it differed. A model named by
    the client keeps the client's effort; the Decision's, if any, only fills a gap.
    """
    routed = decision.reasoning_effort
    own = request.reasoning_effort
    replaced = None
    if routed is not None and own != routed:
        if own is None and request.thinking_budget is None:
            request = replace(request, reasoning_effort=routed)
        elif decision.tier != "manual":
            request = replace(request, reasoning_effort=routed, thinking_budget=None)
            replaced = own
    if decision.replaced_effort != replaced:
        decision = replace(decision, replaced_effort=replaced)
    return request, decision
