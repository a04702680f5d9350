"""Response shapes in the client's dialect whatever served them, and requests the gateway cannot
answer as asked refused instead of silently answered otherwise."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from gateway_harness import GatewayFactory, user

from benchroute.providers.anthropic import AnthropicProvider
from benchroute.providers.client import UpstreamClient
from benchroute.providers.http import create_session
from support.upstream import Script, ScriptedUpstream


@pytest.fixture
async def anthropic_upstream() -> AsyncIterator[tuple[ScriptedUpstream, UpstreamClient]]:
    async with ScriptedUpstream() as up:
        session = create_session(connect_timeout=2.0, read_timeout=5.0)
        try:
            yield up, session
        finally:
            await session.close()


async def test_chat_completion_served_by_an_anthropic_model_has_a_chat_id_and_its_time(
    gateway: GatewayFactory, anthropic_upstream: tuple[ScriptedUpstream, UpstreamClient]
) -> None:
    up, session = anthropic_upstream
    up.add(Script(text="hello from claude"))
    gw = await gateway(providers={"fa": AnthropicProvider("fa", up.url, session, api_key="sk-ant-test")})
    before = int(time.time())
    r = await gw.chat({"model": "fake/a", "messages": user()})
    assert r.status_code == 200, r.text
    assert up.requests[-1].path == "/v1/messages"  # it was an Anthropic-kind call
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["id"] == "chatcmpl-" + r.headers["x-benchroute-decision-id"]
    assert before <= body["created"] <= int(time.time())
    assert body["choices"][0]["message"]["content"] == "hello from claude"


async def test_responses_object_id_is_resp(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add("done")
    r = await gw.client.post("/v1/responses", json={"model": "fake/b", "input": "hi"}, headers=gw.auth())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "response"
    assert body["id"] == "resp_" + r.headers["x-benchroute-decision-id"]
    assert body["created_at"] > 0


async def test_messages_id_is_msg(gateway: GatewayFactory) -> None:
    gw = await gateway()
    gw.providers["fb"].add("done")
    body = {"model": "fake/b", "max_tokens": 10, "messages": user()}
    r = await gw.client.post("/v1/messages", json=body, headers=gw.auth())
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "msg_" + r.headers["x-benchroute-decision-id"]


@pytest.mark.parametrize("n", [2, 0, "2", True])
async def test_n_other_than_one_is_refused_before_routing(gateway: GatewayFactory, n: object) -> None:
    gw = await gateway()
    r = await gw.chat({"model": "fake/b", "messages": user(), "n": n})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["param"] == "n" and "one choice per request" in error["message"]
    assert gw.providers["fb"].calls == 0


async def test_n_of_one_is_served(gateway: GatewayFactory) -> None:
    gw = await gateway()
    r = await gw.chat({"model": "fake/b", "messages": user(), "n": 1})
    assert r.status_code == 200 and len(r.json()["choices"]) == 1


async def test_usage_refuses_query_parameters_it_does_not_read(gateway: GatewayFactory) -> None:
    gw = await gateway()
    await gw.chat({"model": "fake/b", "messages": user()})
    await gw.records()
    r = await gw.client.get("/v1/usage", headers=gw.auth(), params={"by": "mode"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["param"] == "by"
    assert "accepted are group_by, since, until, project" in error["message"]
    ok = await gw.client.get("/v1/usage", headers=gw.auth(), params={"group_by": "mode"})
    assert ok.status_code == 200 and ok.json()["group_by"] == ["mode"]


async def test_usage_project_of_another_project_is_403_for_a_project_key(gateway: GatewayFactory) -> None:
    gw = await gateway()
    r = await gw.client.get("/v1/usage", headers=gw.auth(), params={"project": "other"})
    assert r.status_code == 403 and r.json()["error"]["param"] == "project"
    own = await gw.client.get("/v1/usage", headers=gw.auth(), params={"project": "default"})
    assert own.status_code == 200
    _, admin = await gw.store.create_key("default", name="admin", admin=True)
    other = await gw.client.get("/v1/usage", headers=gw.auth(admin), params={"project": "other"})
    assert other.status_code == 200
