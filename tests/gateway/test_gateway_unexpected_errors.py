"""An unexpected exception anywhere on the request path is a 500 with an error id, in the client's
API error shape, and the process keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator

from gateway_harness import GatewayFactory, user

from benchroute.providers.base import Target
from benchroute.providers.fake import FakeProvider, Reply
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
