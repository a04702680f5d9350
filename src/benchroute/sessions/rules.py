"""The session rules: whether a conversation stays on its model, escalates, or moves down.

Pure: `apply_session(decision, state, request, project, ...)` takes the policy's fresh Decision for
this request and the session's state, and returns the Decision that should serve it, with
`session_action`, `session_note` and (when it overrides the policy) a `session_*` reason. The
policy's own choice stays visible: it is named in the explanation and is the first fallback.
docs/sessions.md states the rules; in order:

1. A manual model id is never overridden, and a client older than the configured minimum always
   gets its one model (action "none").
2. No state, no model yet, or a different tier than last time: the policy's choice (action "new").
3. The session's model is the policy's choice: "stay".
4. The session's model can no longer be used for this request: in cooldown (or failed) ->
   "forced_by_failure"; no longer allowed, no key, or its context window cannot hold the
   conversation -> "escalate" to the policy's choice.
5. Inside a tool loop (the last message is a tool result, or the last assistant message has tool
   calls not yet answered): "stay", reason `session_tool_loop`, whatever the bar says.
6. Free tier: stay on the session's free model until it fails or cools down (rule 4).
7. Efficient tier: if the session's model does not clear the bar (its lower end L(m) from the
   Decision's candidates is below `Decision.bar`, the policy's test, or the policy found no
   evidence for it on this request's cells, candidate note "no_evidence") -> "escalate" at once.
   (Its A(m) there would be only its overall accuracy: an 8B model proven on easy tasks is not
   thereby proven on hard ones.) When
   the policy itself fell back to Balanced (low confidence, no evidence), no choice is proven and
   the bar is the floor: the session's model stays if its A(m) >= the Balanced model's A.
   Otherwise, at a new user turn, move to the policy's cheaper choice only when that saves at
   least `project.switch_saving` of the expected cost and its context window holds the
   conversation -> "downshift"; else "stay" (reason `session_stay`).
8. Other tiers (Frontier by mode, Balanced by API kind) follow the policy outside tool loops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from benchroute.catalog.model import Catalog
from benchroute.quickinit import quick_replace
from benchroute.routing.decision import Candidate, Decision, SessionAction
from benchroute.routing.figures import apart
from benchroute.routing.policy import estimate_prompt_tokens
from benchroute.routing.static import is_allowed
from benchroute.sessions.base import SessionState
from benchroute.wire.canonical import ChatRequest

EFFICIENT = "auto/efficient"
FREE = "auto/free"
MAX_FALLBACKS = 3
# Policy reasons for a choice backed by evidence (the others are fallbacks to Balanced).
PROVEN_REASONS = frozenset({"cheapest_above_bar", "best_accuracy"})
EPS = 1e-9
# The fields a rule changes on the policy's Decision; applied in one copy (`apply_session`).
Changes = dict[str, Any]


def in_tool_loop(request: ChatRequest) -> bool:
    """The last message is a tool result, or the last assistant message has tool calls that no
    later tool message answers: the model is mid-way through its own plan."""
    messages = request.messages
    if not messages:
        return False
    if messages[-1].role == "tool":
        return True
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if m.role == "assistant":
            if not m.tool_calls:
                return False
            answered = {x.tool_call_id for x in messages[i + 1 :] if x.role == "tool"}
            return any(call.id not in answered for call in m.tool_calls)
    return False


def is_new_user_turn(request: ChatRequest) -> bool:
    """The request ends with a user message and no tool call is pending."""
    return bool(request.messages) and request.messages[-1].role == "user" and not in_tool_loop(request)


def apply_session(
    decision: Decision,
    state: SessionState | None,
    request: ChatRequest,
    switch_saving: float = 0.5,
    allowed_models: list[str] | None = None,
    unavailable: frozenset[str] = frozenset(),
    catalog: Catalog | None = None,
    stamp: Mapping[str, Any] | None = None,
) -> Decision:
    """The Decision for this request once the session is taken into account (see the module doc).

    `allowed_models` are the project's patterns (None: all), `unavailable` the models in cooldown
    or that failed for this request, `catalog` gives context windows (None: not checked). `stamp`:
    more fields to set on the returned Decision (its id, session key), in the same copy. (The
    request path passes them by position: five keywords cost more than rule 1 itself.)
    """
    changes = _changes(decision, state, request, switch_saving, allowed_models, unavailable, catalog)
    if stamp:
        changes.update(stamp)
    return quick_replace(decision, **changes)


def _changes(
    decision: Decision,
    state: SessionState | None,
    request: ChatRequest,
    switch_saving: float,
    allowed_models: list[str] | None,
    unavailable: frozenset[str],
    catalog: Catalog | None,
) -> Changes:
    """What the session rules change on the policy's Decision (rules 1 to 8, in order)."""
    fixed = _fixed(decision)
    if fixed is not None:
        return fixed  # (before the tool-loop scan: a named model never needs it)
    tool_loop = in_tool_loop(request)
    agreed = _no_conflict(decision, state, tool_loop)
    if agreed is not None:
        return agreed
    assert state is not None and state.model is not None  # else there was no conflict
    current = state.model
    candidate = _candidate(decision, current)
    fits = _Fits(request, catalog)
    blocked = _blocked(current, decision, candidate, allowed_models, unavailable, catalog, fits)
    if blocked == "cooldown":
        return _mark(
            decision,
            "forced_by_failure",
            f"{current} failed or is cooling down; moved to {decision.model}",
            reason="forced_by_failure",
        )
    if blocked:
        return _mark(
            decision,
            "escalate",
            f"{current} can no longer serve this session ({blocked}); moved to {decision.model}",
            reason="session_escalate",
        )
    if tool_loop:
        return _override(
            decision,
            current,
            candidate,
            reason="session_tool_loop",
            note=f"inside a tool loop: stays on {current}, never switching mid-plan",
        )
    if decision.tier == FREE:
        return _override(
            decision,
            current,
            candidate,
            reason="session_stay",
            note=f"free session stays on {current} until it fails or cools down",
        )
    if decision.tier != EFFICIENT:
        return _mark(decision, "none", f"{decision.tier} follows the policy between tool loops")
    return _efficient(decision, current, candidate, request, switch_saving, fits)


def _fixed(decision: Decision) -> Changes | None:
    """Rule 1: a model the session never overrides (manual, an old client's one model), else None."""
    if decision.tier == "manual":
        return _mark(decision, "none", "a model asked for by name is never overridden")
    if decision.reason == "client_version":
        return _mark(decision, "none", "a client older than the configured minimum gets one model")
    return None


def _no_conflict(decision: Decision, state: SessionState | None, tool_loop: bool) -> Changes | None:
    """Rules 2 and 3: the Decision when the session has no model to weigh against the policy's
    choice (new session or tier, the same model), else None."""
    current = state.model if state is not None else None
    if state is None or current is None:
        return _mark(decision, "new", "first request of this session")
    if state.tier != decision.tier:
        return _mark(decision, "new", f"tier changed from {state.tier} to {decision.tier}; session restarts")
    if current == decision.model:
        why = "inside a tool loop, on the policy's own choice" if tool_loop else "the policy chose it again"
        return _mark(decision, "stay", f"stays on {current}: {why}")
    return None


def _measure(decision: Decision, candidate: Candidate | None) -> tuple[float | None, float | None, bool]:
    """(the session model's figure, the bar, proven): on lower ends when the policy's choice is
    proven (one scale with routing/policy.py), else on expected accuracy against Balanced's own A
    (low confidence / no evidence: the policy fell back to Balanced, itself unproven here)."""
    proven = decision.reason in PROVEN_REASONS
    bar = decision.bar if proven else None
    if not proven:
        chosen = _candidate(decision, decision.model)
        bar = chosen.expected_accuracy if chosen is not None else None
    acc = None if candidate is None else candidate.low if proven else candidate.expected_accuracy
    return acc, bar, proven


def _escalation(
    decision: Decision,
    current: str,
    candidate: Candidate | None,
    acc: float | None,
    bar: float | None,
    proven: bool,
) -> Changes | None:
    """Escalate at once when the session model has no evidence here or falls below the bar."""
    unproven = proven and candidate is not None and candidate.note == "no_evidence"
    if candidate is None or acc is None or unproven:
        why = f"{current} has no evidence for this request's cells; moved to {decision.model}"
        return _mark(decision, "escalate", why, reason="session_escalate")
    if bar is not None and acc < bar - EPS:
        what = "lower end" if proven else "expected accuracy"
        shown, shown_bar = apart(acc, bar)
        why = f"{current} {what} {shown} is below the bar {shown_bar}; moved to {decision.model}"
        return _mark(decision, "escalate", why, reason="session_escalate")
    return None


def _why_stay(
    decision: Decision,
    candidate: Candidate,
    request: ChatRequest,
    switch_saving: float,
    fits: _Fits,
) -> tuple[str | None, float]:
    """Why the session keeps its model (None: a downshift pays), and the saving a switch would bring."""
    cur_cost, new_cost = candidate.expected_cost, decision.expected_cost
    saving = 1.0 - new_cost / cur_cost if cur_cost and new_cost is not None and cur_cost > 0 else 0.0
    if not is_new_user_turn(request):
        return "not a new user turn", saving
    if saving < switch_saving - EPS:
        return f"{decision.model} would save {saving:.0%} (< {switch_saving:.0%})", saving
    if not fits(decision.model):
        return f"the context window of {decision.model} cannot hold the conversation", saving
    return None, saving


def _efficient(
    decision: Decision,
    current: str,
    candidate: Candidate | None,
    request: ChatRequest,
    switch_saving: float,
    fits: _Fits,
) -> Changes:
    acc, bar, proven = _measure(decision, candidate)
    escalated = _escalation(decision, current, candidate, acc, bar, proven)
    if escalated is not None:
        return escalated
    assert candidate is not None and acc is not None  # _escalation answers when either is missing
    label = "L" if proven else "A"
    clears = f"{label}={acc:.3f}"
    if bar is not None:
        shown, shown_bar = apart(acc, bar)
        clears = f"{label}={shown} clears the bar {shown_bar}"
    why, saving = _why_stay(decision, candidate, request, switch_saving, fits)
    if why is None:
        return _mark(
            decision,
            "downshift",
            f"new user turn: {decision.model} saves {saving:.0%} of the expected cost of {current} "
            f"(>= {switch_saving:.0%}) and clears the bar",
            reason="session_downshift",
        )
    return _override(decision, current, candidate, reason="session_stay", note=f"{current} {clears}; {why}")


def _candidate(decision: Decision, model: str) -> Candidate | None:
    return next((c for c in decision.candidates if c.model == model), None)


class _Fits:
    """Whether a model's context window holds the request (True without a catalog or an entry).
    The prompt estimate is worked out on first need and then reused: a downshift checks the new
    model after `_blocked` has checked the session's one."""

    def __init__(self, request: ChatRequest, catalog: Catalog | None) -> None:
        self._request = request
        self._catalog = catalog
        self._tokens: int | None = None

    def __call__(self, model: str) -> bool:
        info = self._catalog.get(model) if self._catalog is not None else None
        if info is None:
            return True
        if self._tokens is None:
            self._tokens = estimate_prompt_tokens(self._request)
        return info.context >= self._tokens


def _blocked(
    current: str,
    decision: Decision,
    candidate: Candidate | None,
    allowed_models: list[str] | None,
    unavailable: frozenset[str],
    catalog: Catalog | None,
    fits: _Fits,
) -> str:
    """Why the session's model cannot serve this request at all ("" when it can)."""
    if current in unavailable or (candidate is not None and candidate.note == "cooldown"):
        return "cooldown"
    if allowed_models is not None and not is_allowed(current, allowed_models):
        return "not allowed by the project"
    if catalog is not None and current not in catalog:
        return "not in the catalog"
    if candidate is not None and not candidate.eligible and candidate.note in ("not_allowed", "no_key"):
        return {"not_allowed": "not allowed by the project", "no_key": "no API key"}[candidate.note]
    if (candidate is not None and candidate.note == "context") or not fits(current):
        return "its context window cannot hold the conversation"
    if decision.tier == FREE and current not in (decision.model, *decision.fallbacks):
        return "no longer in the free pool"
    return ""


def _mark(decision: Decision, action: SessionAction, note: str, *, reason: str | None = None) -> Changes:
    """The policy's choice, annotated with the session action."""
    if reason is None:
        return {"session_action": action, "session_note": note}
    return {
        "reason": reason,
        "session_action": action,
        "session_note": note,
        "explanation": f"Session: {note}. Policy: {decision.explanation}",
    }


def _override(
    decision: Decision, model: str, candidate: Candidate | None, *, reason: str, note: str
) -> Changes:
    """The session's model instead of the policy's choice, which becomes the first fallback."""
    fallbacks = [m for m in (decision.model, *decision.fallbacks) if m != model]
    cost = candidate.expected_cost if candidate is not None else decision.expected_cost
    if decision.tier == FREE:
        cost = 0.0
    return {
        "model": model,
        "reason": reason,
        "session_action": "stay",
        "session_note": note,
        "expected_cost": cost,
        "fallbacks": tuple(fallbacks[:MAX_FALLBACKS]),
        "explanation": (
            f"Session: {note}. The policy alone would pick {decision.model} "
            f"({decision.reason}): {decision.explanation}"
        ),
    }


def after_failover(decision: Decision, served_model: str) -> Decision:
    """The Decision as recorded when a fallback served the request instead of `decision.model`."""
    if served_model == decision.model:
        return decision
    note = f"{decision.model} failed; {served_model} served the request"
    return replace(
        decision,
        session_action="forced_by_failure",
        session_note=note if not decision.session_note else f"{decision.session_note}; {note}",
    )
