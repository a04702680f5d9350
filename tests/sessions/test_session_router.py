"""SessionRouter: the session layer over a real Router (shipped catalog, a small fitted leaderboard,
scripted classifier) and over each SessionStore backend."""

from __future__ import annotations

from dataclasses import fields

import pytest

from benchroute.catalog.loader import load_catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.decision import Decision
from benchroute.routing.evidence import CellStats, Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.sessions.base import SessionStore
from benchroute.sessions.memory import MemorySessionStore
from benchroute.sessions.service import SessionRouter
from benchroute.settings import ProjectSettings, TierSettings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, ToolCall

EASY = "Rename the variable x to count in this function."
MEDIUM = "Add pagination to the /users endpoint and update its tests."
HARD = "Design a lock-free concurrent hash map in C++ with resizing and prove it linearizable."


SMALL = "openai/o4-mini"  # the policy's choice on implement:easy
MID = "openai/gpt-5"  # ... on implement:medium
LARGE = "anthropic/claude-opus-4-5"  # ... on implement:hard; no evidence on implement:medium

# model -> cell -> (Â, low, high), 100 tasks each (the same single-turn and as an agent)
EVIDENCE = {
    SMALL: {
        "implement:easy": (0.96, 0.95, 0.97),
        "implement:medium": (0.55, 0.50, 0.60),
        "implement:hard": (0.10, 0.06, 0.15),
    },
    MID: {
        "implement:easy": (0.97, 0.95, 0.98),
        "implement:medium": (0.75, 0.71, 0.79),
        "implement:hard": (0.40, 0.34, 0.46),
    },
    LARGE: {"implement:easy": (0.90, 0.86, 0.93), "implement:hard": (0.70, 0.64, 0.75)},
}


@pytest.fixture(scope="module")
def router() -> Router:
    classifier = FakeClassifier(
        CellPrediction({"implement:easy": 1.0}, 0.95),
        by_prompt={
            MEDIUM: CellPrediction({"implement:medium": 1.0}, 0.95),
            HARD: CellPrediction({"implement:hard": 1.0}, 0.95),
        },
    )
    snapshot = Snapshot.from_stats(
        CellStats(
            m,
            c,
            100,
            round(100 * a),
            sources=("test",),
            estimate=a,
            low=lo,
            high=hi,
            agent_estimate=a,
            agent_low=lo,
            agent_high=hi,
            evidence_tasks=300,
        )
        for m, cells in EVIDENCE.items()
        for c, (a, lo, hi) in cells.items()
    )
    tiers = TierSettings(balanced={"chat": LARGE}, frontier={"reasoning": LARGE, "implementation": LARGE})
    return Router(load_catalog(), snapshot, classifier, tiers)


def turn(history: list[Message], text: str) -> list[Message]:
    return [*history, Message("user", [TextPart(text)])]


def request(messages: list[Message], task: str = "task-1", parent: str | None = None) -> ChatRequest:
    ctx = RequestContext(task_id=task, parent_task_id=parent, key_id="k1")
    return ChatRequest(model="auto", messages=messages, context=ctx)


async def test_escalate_stay_in_tool_loop_then_downshift(router: Router, session_store: SessionStore) -> None:
    layer = SessionRouter(session_store, catalog=router.catalog)
    project = ProjectSettings()
    msgs = turn([Message("system", [TextPart("You are a coding agent.")])], EASY)

    first = await layer.route(router, request(msgs), "default", project, decision_id="d1")
    assert (first.decision.model, first.decision.session_action) == (SMALL, "new")
    assert first.decision.id == "d1" and first.decision.session_key == "task-1"

    # A hard follow-up: the small model no longer clears the bar -> escalate at once.
    msgs = turn([*msgs, Message("assistant", [TextPart("Renamed.")])], HARD)
    second = await layer.route(router, request(msgs), "default", project, decision_id="d2")
    assert (second.decision.model, second.decision.session_action) == (LARGE, "escalate")
    assert second.decision.reason == "session_escalate"

    # Inside a tool loop after an easy request: the policy alone would go back to SMALL.
    call = ToolCall("c1", "read_file", '{"path": "map.h"}')
    msgs = turn([*msgs, Message("assistant", [TextPart("Plan...")])], EASY)
    msgs = [
        *msgs,
        Message("assistant", tool_calls=[call]),
        Message("tool", [TextPart("...")], tool_call_id="c1"),
    ]
    third = await layer.route(router, request(msgs), "default", project, decision_id="d3")
    assert (third.decision.model, third.decision.reason) == (LARGE, "session_tool_loop")
    assert third.decision.fallbacks[0] == SMALL and SMALL in third.decision.explanation

    # A medium user turn: LARGE has no evidence there -> moves to MID at once.
    msgs = turn([*msgs, Message("assistant", [TextPart("Done.")])], MEDIUM)
    fourth = await layer.route(router, request(msgs), "default", project, decision_id="d4")
    assert (fourth.decision.model, fourth.decision.session_action) == (MID, "escalate")
    assert "no evidence" in fourth.decision.session_note

    # An easy user turn: MID still clears the bar, SMALL saves 56% (>= 50%) -> downshift.
    msgs = turn([*msgs, Message("assistant", [TextPart("Done.")])], EASY)
    fifth = await layer.route(router, request(msgs), "default", project, decision_id="d5")
    assert (fifth.decision.model, fifth.decision.session_action) == (SMALL, "downshift")
    assert fifth.decision.reason == "session_downshift"

    state = await session_store.get("default", "task-1")
    assert state is not None
    assert state.turns == 5 and state.last_decision_id == "d5" and state.model == SMALL
    assert [(h.decision_id, h.action) for h in state.history] == [
        ("d1", "new"),
        ("d2", "escalate"),
        ("d3", "stay"),
        ("d4", "escalate"),
        ("d5", "downshift"),
    ]
    assert state.switches == 3


async def test_a_project_asking_for_larger_savings_stays(router: Router, session_store: SessionStore) -> None:
    layer = SessionRouter(session_store)
    strict = ProjectSettings(switch_saving=0.7)
    msgs = turn([], MEDIUM)
    first = await layer.route(router, request(msgs, task="strict"), "default", strict)
    assert first.decision.model == MID
    msgs = turn([*msgs, Message("assistant", [TextPart("Done.")])], EASY)
    second = await layer.route(router, request(msgs, task="strict"), "default", strict)
    assert (second.decision.model, second.decision.reason) == (MID, "session_stay")
    assert second.decision.fallbacks[0] == SMALL and "56%" in second.decision.session_note


async def test_subagent_session_links_its_parent(router: Router, session_store: SessionStore) -> None:
    layer = SessionRouter(session_store)
    msgs = turn([], EASY)
    await layer.route(router, request(msgs, task="parent"), "default", ProjectSettings())
    child = await layer.route(
        router, request(msgs, task="child", parent="parent"), "default", ProjectSettings()
    )
    assert child.state.parent_key == "parent" and child.state.key == "child"
    assert child.decision.session_action == "new"


async def test_manual_model_passes_through_and_is_recorded(
    router: Router, session_store: SessionStore
) -> None:
    layer = SessionRouter(session_store)
    req = request(turn([], HARD))
    req.model = "openai/gpt-4.1-mini"
    out = await layer.route(router, req, "default", ProjectSettings(), decision_id="m1")
    assert out.decision.model == "openai/gpt-4.1-mini" and out.decision.reason == "manual"
    assert out.state.model == "openai/gpt-4.1-mini"


async def test_routing_error_leaves_the_state_alone(router: Router, session_store: SessionStore) -> None:
    layer = SessionRouter(session_store)
    req = request(turn([], EASY), task="err")
    req.model = "no/such-model"
    with pytest.raises(LookupError):
        await layer.route(router, req, "default", ProjectSettings())
    assert await session_store.get("default", "err") is None


async def test_failover_moves_the_session_and_marks_the_decision(
    router: Router, session_store: SessionStore
) -> None:
    layer = SessionRouter(session_store)
    out = await layer.route(
        router, request(turn([], EASY), task="fo"), "default", ProjectSettings(), decision_id="f1"
    )
    served = out.decision.fallbacks[0]
    recorded = await layer.served("default", out.decision, served)
    assert recorded.session_action == "forced_by_failure"
    state = await session_store.get("default", "fo")
    assert state is not None and state.model == served
    assert state.history[-1].action == "forced_by_failure" and state.history[-1].model == served
    assert state.turns == 1 and state.switches == 0


class _Seeing:
    """An engine that keeps the context each call got and routes like the wrapped one."""

    def __init__(self, engine: Router) -> None:
        self.engine = engine
        self.seen: list[RouteContext] = []

    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision:
        self.seen.append(ctx)
        return self.engine.route(request, project, ctx)


async def test_the_engine_gets_every_field_of_the_callers_context(router: Router) -> None:
    # The session layer builds the engine's context field by field (not `replace`): a field added
    # to RouteContext must reach the engine, or be listed here as one the session layer sets.
    session_fields = {"session_key", "session_model", "session_turns"}
    given = RouteContext(unavailable=frozenset({"a/x"}), extra={"k": "v"})
    assert {f.name for f in fields(RouteContext)} - session_fields == {"unavailable", "extra"}
    engine = _Seeing(router)
    layer = SessionRouter(MemorySessionStore(), catalog=router.catalog)
    msgs = turn([Message("system", [TextPart("You are a coding agent.")])], EASY)
    for decision_id in ("d1", "d2"):
        await layer.route(engine, request(msgs), "default", ProjectSettings(), given, decision_id=decision_id)
    first, second = engine.seen
    for f in fields(RouteContext):
        if f.name not in session_fields:
            assert getattr(first, f.name) == getattr(given, f.name) == getattr(second, f.name), f.name
    assert (first.session_key, first.session_model, first.session_turns) == ("task-1", None, 0)
    assert (second.session_key, second.session_model, second.session_turns) == ("task-1", SMALL, 1)
