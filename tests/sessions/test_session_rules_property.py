"""Invariants of the session rules over random decisions, states and conversations."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from benchroute.routing.decision import Candidate, Decision
from benchroute.sessions.base import SessionState
from benchroute.sessions.rules import apply_session, in_tool_loop
from benchroute.wire.canonical import ChatRequest, Message, TextPart, ToolCall

MODELS = ["m/a", "m/b", "m/c", "m/d"]
TIERS = ["auto/efficient", "auto/free", "auto/frontier", "manual"]

candidates = st.lists(
    st.builds(
        Candidate,
        model=st.sampled_from(MODELS),
        expected_accuracy=st.one_of(st.none(), st.floats(0, 1)),
        expected_cost=st.one_of(st.none(), st.floats(0, 0.1)),
        eligible=st.booleans(),
        note=st.sampled_from(["", "no_evidence", "cooldown", "not_allowed", "context", "balanced"]),
    ),
    unique_by=lambda c: c.model,
)
decisions = st.builds(
    Decision,
    model=st.sampled_from(MODELS),
    tier=st.sampled_from(TIERS),
    reason=st.just("cheapest_above_bar"),
    candidates=candidates.map(tuple),
    bar=st.one_of(st.none(), st.floats(0, 1)),
    expected_cost=st.one_of(st.none(), st.floats(0, 0.1)),
    fallbacks=st.lists(st.sampled_from(MODELS), max_size=3, unique=True).map(tuple),
)
states = st.one_of(
    st.none(),
    st.builds(
        SessionState,
        key=st.just("s"),
        project=st.just("default"),
        model=st.one_of(st.none(), st.sampled_from(MODELS)),
        tier=st.sampled_from(TIERS),
    ),
)
last = st.sampled_from(["user", "tool", "assistant_calls", "assistant_text"])


def conversation(kind: str) -> ChatRequest:
    msgs = [Message("user", [TextPart("fix it")])]
    call = ToolCall("c1", "run", "{}")
    if kind == "tool":
        msgs += [
            Message("assistant", tool_calls=[call]),
            Message("tool", [TextPart("ok")], tool_call_id="c1"),
        ]
    elif kind == "assistant_calls":
        msgs += [Message("assistant", tool_calls=[call])]
    elif kind == "assistant_text":
        msgs += [Message("assistant", [TextPart("done")]), Message("user", [TextPart("next")])]
    return ChatRequest(model="auto", messages=msgs)


@settings(max_examples=200, deadline=None)
@given(decisions, states, last, st.frozensets(st.sampled_from(MODELS), max_size=2))
def test_session_rule_invariants(
    decision: Decision, state: SessionState | None, kind: str, unavailable: frozenset[str]
) -> None:
    request = conversation(kind)
    out = apply_session(decision, state, request, unavailable=unavailable)
    current = state.model if state else None
    # The session only ever picks the policy's choice or the model it is already on.
    assert out.model in (decision.model, current)
    if decision.tier == "manual":
        assert out.model == decision.model and out.session_action == "none"
    if out.model != decision.model:
        # The override keeps the policy's choice first in line and explains itself.
        assert out.fallbacks[0] == decision.model
        assert out.reason.startswith("session_") and decision.model in out.explanation
        assert current not in unavailable
    if (
        current in unavailable
        and current != decision.model
        and state
        and state.tier == decision.tier
        and decision.tier != "manual"
    ):
        assert out.model == decision.model and out.session_action == "forced_by_failure"
    blocked_notes = {"cooldown", "not_allowed", "context"}
    cand = next((c for c in decision.candidates if c.model == current), None)
    if (
        in_tool_loop(request)
        and state is not None
        and current is not None
        and state.tier == decision.tier
        and decision.tier != "manual"
        and current not in unavailable
        and not (cand is not None and cand.note in blocked_notes)
        and not (decision.tier == "auto/free" and current not in (decision.model, *decision.fallbacks))
    ):
        assert out.model == current  # never switch inside a tool loop
    assert apply_session(decision, state, request, unavailable=unavailable) == out
