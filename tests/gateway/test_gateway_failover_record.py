"""A failover is recorded as what happened: the chosen model failed (how, how often), a fallback
served it at its own expected cost, and fallbacks skipped while cooling down are named."""

from __future__ import annotations

from typing import Any

import pytest
from gateway_harness import Gateway, GatewayFactory, user

from benchroute.providers.base import ProviderError
from benchroute.routing.decision import Decision

POLICY = "For implement:easy 90%: fake/a is the cheapest model ..., at 50% of the Frontier cost."


class Chosen:
    """The policy's choice fake/a ($0.01, half the Frontier's $0.02), then fake/b ($0.02), fake/c."""

    def route(self, request: Any, project: Any, ctx: Any) -> Decision:
        return Decision(
            model="fake/a",
            tier="auto/efficient",
            reason="cheapest_above_bar",
            fallbacks=("fake/b", "fake/c"),
            expected_cost=0.01,
            frontier_model="fake/b",
            frontier_cost=0.02,
            fallback_costs={"fake/a": 0.01, "fake/b": 0.02, "fake/c": 0.004},
            explanation=POLICY,
        )


async def _record(gw: Gateway, decision_id: str) -> dict[str, Any]:
    await gw.records()
    found = await gw.store.get_decision(decision_id, project=None)
    assert found is not None
    return found.decision


@pytest.mark.parametrize("stream", [False, True])
async def test_record_says_the_chosen_model_failed_and_what_the_fallback_cost(
    gateway: GatewayFactory, stream: bool
) -> None:
    gw = await gateway(engine=Chosen())
    boom = ProviderError("server", "upstream 500", status=500)
    gw.providers["fa"].add(boom, boom)
    r = await gw.chat({"model": "auto", "messages": user("x"), "stream": stream})
    assert r.status_code == 200 and r.headers["x-benchroute-model"] == "fake/b"
    d = await _record(gw, r.headers["x-benchroute-decision-id"])
    assert d["reason"] == "forced_by_failure"
    assert d["served_model"] == "fake/b" and d["served_expected_cost"] == 0.02
    assert d["failures"] == [{"model": "fake/a", "kind": "server", "status": 500, "attempts": 2}]
    assert d["explanation"].startswith(
        "fake/a (server error 500, 2 attempts) failed before the first byte; the fallback fake/b served "
        "it, at an expected $0.0200 (2× the $0.0100 expected on fake/a; 100% of the Frontier cost)."
    )
    assert d["explanation"].endswith("The policy had chosen fake/a: " + POLICY)


async def test_fallbacks_cooling_down_are_named_as_skipped(gateway: GatewayFactory) -> None:
    gw = await gateway(engine=Chosen(), cooldown_failures=1)
    gw.state.health.failure("fake/b", retry_after=60, rate_limited=True)  # fake/b cools down
    gw.providers["fa"].add(ProviderError("timeout", "read timed out"))
    r = await gw.chat({"model": "auto", "messages": user("x")})
    assert r.status_code == 200 and r.headers["x-benchroute-model"] == "fake/c"
    d = await _record(gw, r.headers["x-benchroute-decision-id"])
    assert d["skipped_cooling"] == ["fake/b"]
    # one failure cools fake/a down here (cooldown_failures=1): no retry on it
    assert (
        "fake/a (timed out) failed before the first byte; the fallback fake/c served it" in d["explanation"]
    )
    assert "Skipped while cooling down after upstream failures: fake/b." in d["explanation"]
    assert gw.providers["fb"].calls == 0


async def test_when_every_attempt_fails_the_record_says_so(gateway: GatewayFactory) -> None:
    gw = await gateway(engine=Chosen())
    boom = ProviderError("server", "upstream 503", status=503)
    for name in ("fa", "fb", "fc"):
        gw.providers[name].add(boom, boom)
    r = await gw.chat({"model": "auto", "messages": user("x")})
    assert r.status_code == 502
    d = await _record(gw, r.headers["x-benchroute-decision-id"])
    assert d["explanation"].startswith(
        "Every attempt failed: fake/a (server error 503, 2 attempts); fake/b (server error 503); "
        "fake/c (server error 503)."
    )
    assert d["reason"] == "cheapest_above_bar"  # what was chosen; the status says it failed


async def test_a_request_without_failures_is_recorded_as_routed(gateway: GatewayFactory) -> None:
    gw = await gateway(engine=Chosen())
    r = await gw.chat({"model": "auto", "messages": user("x")})
    d = await _record(gw, r.headers["x-benchroute-decision-id"])
    assert (d["reason"], d["explanation"]) == ("cheapest_above_bar", POLICY)
    assert "failures" not in d
