"""A gateway with no provider key: errors name the cause, /v1/models marks what is callable, and a
gateway key in a provider variable is never sent upstream."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from gateway_harness import Client, Shipped, shipped_gateway

from benchroute.app import create_app
from benchroute.catalog.loader import load_catalog
from benchroute.gateway.server import InLoopServer
from benchroute.providers.registry import BUILTIN_PROVIDERS
from benchroute.settings import Settings
from benchroute.store.memory import MemoryStore

Started = Shipped


@pytest.fixture(autouse=True)
def _no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for spec in BUILTIN_PROVIDERS:
        if spec.api_key_env:
            monkeypatch.delenv(spec.api_key_env, raising=False)


@pytest.fixture
async def keyless() -> AsyncIterator[Started]:
    async with shipped_gateway() as started:
        yield started


def _body(model: str) -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": "rename foo to bar in x.py"}]}


async def test_auto_tiers_answer_503_naming_the_missing_keys(keyless: Started) -> None:
    client, key, _ = keyless
    auth = {"authorization": f"Bearer {key}"}
    for model in ("auto", "auto/balanced", "auto/frontier"):
        r = await client.post("/v1/chat/completions", json=_body(model), headers=auth)
        error = r.json()["error"]
        assert r.status_code == 503, r.text
        assert error["code"] == "no_callable_model" and error["type"] == "service_unavailable"
        assert "OPENAI_API_KEY" in error["message"] and "ANTHROPIC_API_KEY" in error["message"]
        assert "11434" in error["message"] and "benchroute doctor" in error["message"]
    free = (await client.post("/v1/chat/completions", json=_body("auto/free"), headers=auth)).json()
    assert (
        "OPENROUTER_API_KEY" in free["error"]["message"] and "OPENAI_API_KEY" not in free["error"]["message"]
    )
    preview = await client.post("/v1/route", json=_body("auto"), headers=auth)
    assert preview.status_code == 503 and preview.json()["error"]["code"] == "no_callable_model"


async def test_a_project_that_allows_nothing_still_gets_403() -> None:
    async with shipped_gateway(projects={"default": {"allowed_models": ["nobody/*"]}}) as (client, key, _):
        auth = {"authorization": f"Bearer {key}"}
        r = await client.post("/v1/chat/completions", json=_body("auto"), headers=auth)
    assert r.status_code == 403 and r.json()["error"]["code"] == "model_not_allowed", r.text


async def test_a_manual_model_without_a_key_is_refused_before_any_call(keyless: Started) -> None:
    client, key, _ = keyless
    r = await client.post(
        "/v1/chat/completions", json=_body("openai/gpt-4.1-mini"), headers={"authorization": f"Bearer {key}"}
    )
    error = r.json()["error"]
    assert r.status_code == 400 and error["code"] == "provider_key_missing", r.text
    assert "OPENAI_API_KEY is not set" in error["message"] and "keys provider set" in error["message"]
    # routed, then refused: no model served it (an upstream call would have answered 502 here)
    assert r.headers["x-benchroute-tier"] == "manual" and "x-benchroute-model" not in r.headers


async def test_models_lists_callable_models_and_marks_the_rest_on_request(keyless: Started) -> None:
    client, key, _ = keyless
    auth = {"authorization": f"Bearer {key}"}
    ids = [m["id"] for m in (await client.get("/v1/models", headers=auth)).json()["data"]]
    assert ids == ["auto/efficient", "auto/balanced", "auto/frontier", "auto/free"]
    listed = (await client.get("/v1/models", headers=auth, params={"all": "true"})).json()["data"]
    gpt = next(m for m in listed if m["id"] == "openai/gpt-4.1-mini")
    assert gpt["callable"] is False and gpt["not_callable_because"] == "OPENAI_API_KEY is not set"


async def test_home_page_links_dashboard_leaderboard_and_docs(keyless: Started) -> None:
    client, _, _ = keyless
    r = await client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for link in ('href="/dashboard"', 'href="/leaderboard"', "docs", "benchroute doctor"):
        assert link in r.text


async def test_a_gateway_key_in_a_provider_variable_is_not_sent_upstream(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "br-0123456789ab-secretsecretsecret")
    settings = Settings(server={"discover_local": False}, store={"url": "memory://"})
    store = MemoryStore()
    await store.start()
    _, key = await store.create_key("default", name="test")
    app = create_app(settings, store=store, catalog=load_catalog(settings))
    server = InLoopServer(app)
    await server.start()
    client = Client(server.base_url)
    try:
        assert app.state.gateway.providers["openai"].api_key is None
        assert any("OPENAI_API_KEY holds a benchroute gateway key" in r.message for r in caplog.records)
        r = await client.post(
            "/v1/chat/completions", json=_body("openai/gpt-4.1"), headers={"authorization": f"Bearer {key}"}
        )
        assert r.status_code == 400 and "holds a benchroute gateway key" in r.json()["error"]["message"]
    finally:
        await client.aclose()
        await server.stop()
