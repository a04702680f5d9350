"""An unexpected exception anywhere on the request path is a 500 with an error id, in the client's
API error shape, and the process keeps serving; inside routing too: only the router's own errors
(RouteError) become client errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from gateway_harness import GatewayFactory, user

from benchroute.providers.base import Target
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.routing.decision import Decision
from benchroute.routing.static import ModelNotFound
from benchroute.wire.canonical import ChatRequest, ChatResponse, StreamEvent


class Broken(FakeProvider):
    """A provider with a bug: it raises something that is not a ProviderError."""

    async def complete(self, request: ChatRequest, target: Target) -> ChatResponse:
        raise RuntimeError("a bug in a provider")

    async def stream(self, request: ChatRequest, target: Target) -> AsyncIterator[StreamEvent]:
        raise RuntimeError("a bug in a provider")
        yield  # pragma: no cover


async def test_unexpected_errors_use_the_clients_error_shape(gateway: GatewayFactory) -> None:
    healthy = FakeProvider("fa")
    gw = await gateway(providers={"fa": healthy, "fb": Broken("fb"), "fc": Broken("fc")})
    r = await gw.chat({"model": "fake/b", "messages": user()})
    assert r.status_code == 500
    error = r.json()["error"]
    assert error["code"] == "internal_error" and r.headers["x-benchroute-error-id"] in error["message"]
    assert "a bug in a provider" not in r.text  # details go to the log, not to the client

    body = {"model": "fake/b", "max_tokens": 5, "messages": user()}
    r = await gw.client.post("/v1/messages", json=body, headers=gw.auth())
    assert r.status_code == 500
    assert r.json()["type"] == "error" and r.json()["error"]["type"] == "api_error"

    # the process keeps serving
    healthy.add(Reply(text="still here"))
    r = await gw.chat({"model": "fake/a", "messages": user()})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "still here"


class BuggyEngine:
    """A routing engine with a bug: it raises builtin errors, not the router's own (RouteError)."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def route(self, request: Any, project: Any, ctx: Any) -> Decision:
        raise self.exc


@pytest.mark.parametrize(
    "exc", [KeyError("internal-key-xyz"), ValueError("numpy: internal-xyz"), PermissionError("internal-xyz")]
)
async def test_a_bug_inside_routing_is_a_500_without_internal_text(
    gateway: GatewayFactory, exc: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    gw = await gateway(engine=BuggyEngine(exc))
    for r in (
        await gw.chat({"model": "auto", "messages": user()}),
        await gw.client.post("/v1/route", json={"model": "auto", "messages": user()}, headers=gw.auth()),
    ):
        assert r.status_code == 500, r.text
        error = r.json()["error"]
        assert error["code"] == "internal_error" and r.headers["x-benchroute-error-id"] in error["message"]
        assert "internal" not in error["message"].replace("internal error", "")  # no internal text
        assert "xyz" not in r.text and type(exc).__name__ not in r.text
    assert "internal-" in caplog.text  # the details are in the log


async def test_the_routers_own_errors_stay_client_errors(gateway: GatewayFactory) -> None:
    gw = await gateway(engine=BuggyEngine(ModelNotFound("model 'x/none' is not in the catalog")))
    r = await gw.chat({"model": "x/none", "messages": user()})
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
    assert "x/none" in r.json()["error"]["message"]
