"""POST /v1/route: the Decision for a body, without calling a model, recording or moving anything."""

from __future__ import annotations

import pytest
from gateway_harness import MODELS, GatewayFactory, user

from benchroute.catalog.model import Catalog
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, TierSettings

PROBS = {"implement:medium": 1.0}


def engine() -> Router:
    # fake/a (Balanced): 36/40 on the cell at (1.0, 2.0) $/M; fake/b: 37/40 at half the price.
    snapshot = Snapshot.from_stats(
        [
            CellStats(model="fake/a", cell="implement:medium", trials=40, successes=36, sources=("t",)),
            CellStats(model="fake/b", cell="implement:medium", trials=40, successes=37, sources=("t",)),
        ]
    )
    tiers = TierSettings(
        balanced={"chat": "fake/a", "messages": "fake/a", "responses": "fake/a"},
        frontier={"reasoning": "fake/a", "implementation": "fake/a"},
    )
    projects = {"narrow": ProjectSettings(allowed_models=["fake/b"])}
    return Router(Catalog(MODELS), snapshot, FakeClassifier.fixed(PROBS, 0.9), tiers, projects=projects)


async def test_route_preview_explains_without_calling_or_recording(gateway: GatewayFactory) -> None:
    gw = await gateway(engine=engine())
    body = {"model": "auto/efficient", "messages": user("implement a parser for this grammar")}
    r = await gw.client.post("/v1/route", json=body, headers={**gw.auth(), "x-kilocode-taskid": "task-7"})
    assert r.status_code == 200, r.text
    d = r.json()
    # Raw bench cells (no fitted estimate): A is the raw rate, the interval Wilson's. Balanced
    # (fake/a) sets the floor, its lower end; fake/b (A 0.925 vs 0.9, at half the price) is the
    # most accurate, and the gateway's default project has dial 0.5, so the bar is the midpoint of
    # the two lower ends, which fake/b clears on its own lower end (docs/routing.md).
    by_model = {c["model"]: c for c in d["candidates"]}
    assert (d["model"], d["reason"]) == ("fake/b", "cheapest_above_bar")
    low_a, low_b = by_model["fake/a"]["low"], by_model["fake/b"]["low"]
    assert d["bar"] == pytest.approx((low_a + low_b) / 2) and d["confidence"] == 0.9 and d["cells"] == PROBS
    assert by_model["fake/a"]["expected_accuracy"] == pytest.approx(0.9)
    assert by_model["fake/b"]["expected_accuracy"] == pytest.approx(0.925)
    assert by_model["fake/b"]["expected_cost"] < by_model["fake/a"]["expected_cost"]
    assert d["session_key"] == "task-7" and d["preview"] is True
    assert d["frontier_model"] == "fake/a" and d["frontier_cost"] is not None
    # nothing was sent upstream and nothing was recorded
    assert all(not p.requests for p in gw.providers.values())
    assert await gw.records() == []


async def test_route_preview_reads_other_dialects_and_rejects_bad_input(gateway: GatewayFactory) -> None:
    gw = await gateway(engine=engine())
    messages_body = {"model": "fake/b", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    r = await gw.client.post("/v1/route", json=messages_body, params={"api": "messages"}, headers=gw.auth())
    assert r.status_code == 200, r.text
    assert (r.json()["model"], r.json()["reason"]) == ("fake/b", "manual")

    r = await gw.client.post("/v1/route", json=messages_body, params={"api": "grpc"}, headers=gw.auth())
    assert r.status_code == 400 and "api must be one of" in r.json()["error"]["message"]
    r = await gw.client.post("/v1/route", json={"model": "auto"}, headers=gw.auth())
    assert r.status_code == 400 and "messages" in r.json()["error"]["message"]
    # a Responses or Messages body sent without ?api= is read as chat: the error says how to send it
    codex = {"model": "auto", "input": [{"role": "user", "content": "hi"}]}
    r = await gw.client.post("/v1/route", json=codex, headers=gw.auth())
    assert r.status_code == 400 and "?api=responses" in r.json()["error"]["message"]
    claude = {
        "model": "auto",
        "max_tokens": 10,
        "messages": [
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}
        ],
    }
    r = await gw.client.post("/v1/route", json=claude, headers=gw.auth())
    assert r.status_code == 400 and "?api=messages" in r.json()["error"]["message"]
    r = await gw.client.post("/v1/route", json=codex, params={"api": "chat"}, headers=gw.auth())
    assert r.status_code == 400 and "?api=" not in r.json()["error"]["message"]  # asked for chat
    r = await gw.client.post("/v1/route", content=b"{nope", headers=gw.auth())
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]
    r = await gw.client.post("/v1/route", json={"model": "auto", "messages": user()})
    assert r.status_code == 401
    r = await gw.client.post("/v1/route", json={"model": "no/such", "messages": user()}, headers=gw.auth())
    assert r.status_code == 404


async def test_route_preview_uses_the_callers_project(gateway: GatewayFactory) -> None:
    gw = await gateway(engine=engine())
    _, narrow_key = await gw.store.create_key("narrow", name="n")
    body = {"model": "auto/efficient", "messages": user("implement it")}
    r = await gw.client.post("/v1/route", json=body, headers=gw.auth(narrow_key))
    assert r.status_code == 200, r.text
    assert r.json()["model"] == "fake/b"  # the only model this project allows
    r = await gw.client.post(
        "/v1/route", json={"model": "fake/a", "messages": user()}, headers=gw.auth(narrow_key)
    )
    assert r.status_code == 403
