"""A model measured to break tool calls on agent tasks is not proven for agent work: a request with
tools never goes to it, whatever its single-turn score; without tools it is routed as before."""

from __future__ import annotations

from dataclasses import replace

from policy_example import request, router, snapshot

from benchroute.routing.base import RouteContext
from benchroute.routing.policy import PolicyParams
from benchroute.settings import ProjectSettings


def test_a_model_that_breaks_tool_calls_is_not_chosen_for_agent_work() -> None:
    broken = replace(snapshot(), malformed={"x/big": 0.30, "x/mid": 0.01})
    r = router().with_snapshot(broken)
    limit = PolicyParams().max_malformed_rate
    assert 0.01 <= limit < 0.30  # the documented threshold (docs/routing.md) sits between them
    agent = r.route(request(tools=True), ProjectSettings(dial=1.0), RouteContext())
    assert agent.model != "x/big" and agent.setting == "agent"
    notes = {c.model: (c.note, c.eligible) for c in agent.candidates}
    assert notes["x/big"] == ("malformed_tool_calls", False)
    assert notes["x/mid"][0] != "malformed_tool_calls"  # under the threshold: still a candidate
    assert "x/big (30%)" in agent.explanation and "malformed tool calls" in agent.explanation
    single = r.route(request(), ProjectSettings(dial=1.0), RouteContext())
    assert single.model == "x/big"  # single-turn work: its single-turn evidence stands
    # without the signal the same tool request goes to x/big
    assert router().route(request(tools=True), ProjectSettings(dial=1.0), RouteContext()).model == "x/big"


def test_the_rate_travels_with_the_snapshot_and_a_variant_falls_back_to_its_base_model() -> None:
    from benchroute.routing.evidence import Snapshot

    broken = replace(snapshot(), malformed={"x/big": 0.30})
    again = Snapshot.from_json(broken.to_json())
    assert again.malformed == {"x/big": 0.30}
    assert router().with_snapshot(again).table.tool_safe().tolist().count(False) == 1
