"""The pure session rules of sessions/rules.py, one test per rule in docs/sessions.md."""

from __future__ import annotations

from dataclasses import replace

import pytest

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.decision import Candidate, Decision
from benchroute.sessions.base import SessionState
from benchroute.sessions.rules import after_failover, apply_session, in_tool_loop, is_new_user_turn
from benchroute.wire.canonical import ChatRequest, Message, TextPart, ToolCall

EFF = "auto/efficient"
CANDIDATES = (
    Candidate("big/x", 0.90, 0.010, low=0.85),  # the policy's bar is on lower ends
    Candidate("mid/y", 0.80, 0.004, low=0.75),
    Candidate("near/b", 0.72, 0.003, low=0.67),
    Candidate("cheap/a", 0.75, 0.001, low=0.70),
    Candidate("weak/z", 0.50, 0.0005, low=0.45),
    Candidate("thin/n", 0.95, 0.002, eligible=False, note="no_evidence"),
    Candidate("void/v", None, 0.001, eligible=False, note="no_evidence"),
)


def policy(model: str = "cheap/a", *, tier: str = EFF, bar: float | None = 0.7, **kw: object) -> Decision:
    cost = next((c.expected_cost for c in CANDIDATES if c.model == model), None)
    d = Decision(
        model=model,
        tier=tier,
        reason="cheapest_above_bar",
        requested_model="auto",
        candidates=CANDIDATES if tier == EFF else (),
        bar=bar,
        expected_cost=cost,
        fallbacks=("mid/y", "big/x"),
        explanation="policy explanation",
    )
    return replace(d, **kw)  # type: ignore[arg-type]


def state(model: str | None = "mid/y", tier: str = EFF) -> SessionState:
    return SessionState(key="s", project="default", model=model, tier=tier, turns=2)


def user_turn(*extra: Message) -> ChatRequest:
    msgs = [
        Message("system", [TextPart("You are a coding assistant.")]),
        Message("user", [TextPart("Fix the failing test in parser.py")]),
        *extra,
    ]
    return ChatRequest(model="auto", messages=msgs)


CALL = ToolCall(id="c1", name="read_file", arguments='{"path": "parser.py"}')
TOOL_RESULT = user_turn(
    Message("assistant", tool_calls=[CALL]), Message("tool", [TextPart("...")], tool_call_id="c1")
)
PENDING = user_turn(Message("assistant", tool_calls=[CALL]))
FOLLOW_UP = user_turn(
    Message("assistant", [TextPart("Done.")]), Message("user", [TextPart("Now add a test.")])
)


def test_tool_loop_detection() -> None:
    assert in_tool_loop(TOOL_RESULT) and in_tool_loop(PENDING)
    assert not in_tool_loop(FOLLOW_UP) and not in_tool_loop(user_turn())
    answered_then_user = user_turn(
        Message("assistant", tool_calls=[CALL]),
        Message("tool", [TextPart("ok")], tool_call_id="c1"),
        Message("assistant", [TextPart("Fixed.")]),
        Message("user", [TextPart("thanks, next")]),
    )
    assert not in_tool_loop(answered_then_user) and is_new_user_turn(answered_then_user)
    assert not is_new_user_turn(TOOL_RESULT)


def test_manual_model_is_never_overridden() -> None:
    manual = Decision(model="weak/z", tier="manual", reason="manual", requested_model="weak/z")
    out = apply_session(manual, state("big/x"), TOOL_RESULT)
    assert out.model == "weak/z" and out.reason == "manual" and out.session_action == "none"


def test_an_outdated_client_always_gets_its_one_model() -> None:
    old = policy("near/b", bar=None, reason="client_version")
    out = apply_session(replace(old, candidates=()), state("big/x"), TOOL_RESULT)
    assert out.model == "near/b" and out.session_action == "none" and out.reason == "client_version"


def test_first_request_is_new() -> None:
    out = apply_session(policy(), None, user_turn())
    assert (out.model, out.session_action, out.reason) == ("cheap/a", "new", "cheapest_above_bar")


def test_tier_change_restarts_the_session() -> None:
    out = apply_session(policy(), state("big/x", tier="auto/frontier"), TOOL_RESULT)
    assert out.model == "cheap/a" and out.session_action == "new"


def test_policy_choice_equal_to_session_model_is_a_stay() -> None:
    out = apply_session(policy("mid/y"), state("mid/y"), FOLLOW_UP)
    assert out.model == "mid/y" and out.session_action == "stay" and out.reason == "cheapest_above_bar"


@pytest.mark.parametrize("request_", [TOOL_RESULT, PENDING], ids=["tool_result", "pending_calls"])
def test_never_switch_inside_a_tool_loop(request_: ChatRequest) -> None:
    out = apply_session(policy("cheap/a"), state("big/x"), request_)
    assert out.model == "big/x"
    assert out.reason == "session_tool_loop" and out.session_action == "stay"
    assert out.fallbacks[0] == "cheap/a"  # the policy's choice is kept, first in line
    assert "cheap/a" in out.explanation and "policy explanation" in out.explanation
    assert out.expected_cost == 0.010


def test_tool_loop_holds_even_below_the_bar() -> None:
    out = apply_session(policy("cheap/a"), state("weak/z"), TOOL_RESULT)
    assert out.model == "weak/z" and out.reason == "session_tool_loop"


def test_stay_while_the_current_model_clears_the_bar_and_saving_is_small() -> None:
    # mid/y (A .80, $.004) clears the bar .70; near/b saves 25% < 50%
    out = apply_session(policy("near/b"), state("mid/y"), FOLLOW_UP)
    assert out.model == "mid/y" and out.reason == "session_stay" and out.session_action == "stay"
    assert "25%" in out.session_note
    assert out.fallbacks[0] == "near/b"


def test_downshift_at_a_new_user_turn_when_it_saves_enough() -> None:
    out = apply_session(policy("cheap/a"), state("big/x"), FOLLOW_UP)  # saves 90%
    assert out.model == "cheap/a"
    assert out.reason == "session_downshift" and out.session_action == "downshift"
    assert "policy explanation" in out.explanation


def test_switch_saving_is_the_projects_share() -> None:
    out = apply_session(policy("cheap/a"), state("big/x"), FOLLOW_UP, switch_saving=0.95)
    assert out.model == "big/x" and out.reason == "session_stay"
    out = apply_session(policy("mid/y"), state("big/x"), FOLLOW_UP, switch_saving=0.6)  # saves exactly 60%
    assert out.model == "mid/y" and out.session_action == "downshift"


def test_no_downshift_when_the_cheaper_context_window_is_too_small() -> None:
    catalog = Catalog(
        [
            ModelInfo("big/x", "p", "x", context=200_000),
            ModelInfo("cheap/a", "p", "a", context=50),
        ]
    )
    long_turn = user_turn(Message("assistant", [TextPart("x" * 2000)]), Message("user", [TextPart("more")]))
    out = apply_session(policy("cheap/a"), state("big/x"), long_turn, catalog=catalog)
    assert out.model == "big/x" and out.reason == "session_stay" and "context window" in out.session_note


def test_escalate_at_once_when_below_the_bar() -> None:
    out = apply_session(policy("cheap/a"), state("weak/z"), FOLLOW_UP)
    assert out.model == "cheap/a"
    assert out.reason == "session_escalate" and out.session_action == "escalate"
    assert "lower end 0.450" in out.session_note and "0.700" in out.session_note


def test_escalate_when_the_current_model_has_no_evidence_here() -> None:
    out = apply_session(policy("mid/y"), state("thin/n"), FOLLOW_UP)  # A .95 is only its overall
    assert out.model == "mid/y" and out.session_action == "escalate" and "no evidence" in out.session_note
    out = apply_session(policy("mid/y"), state("void/v"), FOLLOW_UP)
    assert out.model == "mid/y" and out.session_action == "escalate"
    out = apply_session(policy("mid/y"), state("not/listed"), FOLLOW_UP)
    assert out.model == "mid/y" and out.session_action == "escalate"


def test_failure_or_cooldown_forces_the_change_even_in_a_tool_loop() -> None:
    out = apply_session(policy("cheap/a"), state("big/x"), TOOL_RESULT, unavailable=frozenset({"big/x"}))
    assert out.model == "cheap/a"
    assert out.session_action == "forced_by_failure" and out.reason == "forced_by_failure"


def test_a_model_no_longer_allowed_is_left_even_in_a_tool_loop() -> None:
    out = apply_session(policy("cheap/a"), state("big/x"), TOOL_RESULT, allowed_models=["cheap/*", "mid/*"])
    assert out.model == "cheap/a" and out.session_action == "escalate"
    assert "not allowed" in out.session_note


def test_low_confidence_keeps_a_session_model_at_least_as_good_as_balanced() -> None:
    fell_back = policy("near/b", bar=None, reason="low_confidence")  # Balanced, A .72
    assert apply_session(fell_back, state("mid/y"), FOLLOW_UP).model == "mid/y"
    assert apply_session(fell_back, state("weak/z"), FOLLOW_UP).model == "near/b"


def test_when_the_policy_has_no_evidence_the_bar_is_the_balanced_floor() -> None:
    # No evidence-backed choice: Balanced (near/b, A .72) serves; the policy's unreached bar .9
    # does not apply, and the session's model needs no evidence the fallback lacks too.
    fell_back = policy("near/b", bar=0.9, reason="no_evidence")
    out = apply_session(fell_back, state("mid/y"), FOLLOW_UP)
    assert out.model == "mid/y" and out.reason == "session_stay"
    assert apply_session(fell_back, state("thin/n"), FOLLOW_UP).model == "thin/n"
    assert apply_session(fell_back, state("weak/z"), FOLLOW_UP).session_action == "escalate"


def test_free_session_stays_on_its_model_until_it_fails() -> None:
    free = policy("free/b", tier="auto/free", bar=None, reason="free_pool", fallbacks=("free/a", "free/c"))
    out = apply_session(free, state("free/a", tier="auto/free"), FOLLOW_UP)
    assert out.model == "free/a" and out.session_action == "stay" and out.expected_cost == 0.0
    out = apply_session(free, state("free/a", tier="auto/free"), FOLLOW_UP, unavailable=frozenset({"free/a"}))
    assert out.model == "free/b" and out.session_action == "forced_by_failure"
    gone = policy("free/b", tier="auto/free", bar=None, reason="free_pool", fallbacks=("free/c",))
    out = apply_session(gone, state("free/a", tier="auto/free"), FOLLOW_UP)
    assert out.model == "free/b" and "free pool" in out.session_note


def test_frontier_follows_its_mode_between_tool_loops() -> None:
    front = policy("big/x", tier="auto/frontier", bar=None, reason="frontier_implementation")
    assert apply_session(front, state("mid/y", tier="auto/frontier"), FOLLOW_UP).model == "big/x"
    assert apply_session(front, state("mid/y", tier="auto/frontier"), TOOL_RESULT).model == "mid/y"


def test_after_failover_records_forced_by_failure() -> None:
    d = policy("cheap/a")
    assert after_failover(d, "cheap/a") is d
    moved = after_failover(d, "mid/y")
    assert moved.session_action == "forced_by_failure" and "cheap/a failed" in moved.session_note


def test_rules_are_pure() -> None:
    args = (policy("cheap/a"), state("big/x"), FOLLOW_UP)
    assert apply_session(*args) == apply_session(*args)


def test_the_session_bar_is_on_the_lower_end_like_the_policy() -> None:
    # near/b: A .72 is above the bar .70, but its lower end .67 is not: not proven, escalate at once.
    out = apply_session(policy("cheap/a"), state("near/b"), FOLLOW_UP)
    assert (out.model, out.session_action, out.reason) == ("cheap/a", "escalate", "session_escalate")
    assert "lower end 0.670" in out.session_note


def test_a_lower_end_just_below_the_bar_never_reads_equal_to_it() -> None:
    # 0.4669 vs 0.4671 both print 0.467 at three decimals: the note shows the decimals that differ
    close = (Candidate("opus/x", 0.60, 0.01, low=0.4669), Candidate("cheap/a", 0.75, 0.001, low=0.70))
    out = apply_session(policy(bar=0.4671, candidates=close), state("opus/x"), FOLLOW_UP)
    assert out.session_action == "escalate"
    assert "opus/x lower end 0.4669 is below the bar 0.4671" in out.session_note


def test_clears_the_bar_prints_both_numbers_alike() -> None:
    close = (Candidate("mid/y", 0.80, 0.004, low=0.70004), Candidate("cheap/a", 0.75, 0.003, low=0.7))
    not_a_new_turn = user_turn(Message("assistant", [TextPart("Working on it.")]))
    out = apply_session(policy(bar=0.7, candidates=close), state("mid/y"), not_a_new_turn)
    assert out.reason == "session_stay"
    assert "L=0.70004 clears the bar 0.70000" in out.session_note
