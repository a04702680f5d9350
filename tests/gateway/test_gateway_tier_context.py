"""Each auto tier advertises the context it can serve (the largest window among the models it may
route to), and a request longer than that is refused naming the numbers, not "add free models"."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from gateway_harness import Client, shipped_gateway

from benchroute.catalog.loader import load_catalog
from benchroute.providers.registry import BUILTIN_PROVIDERS


@pytest.fixture
async def openrouter_only(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Client, str]]:
    """The shipped catalog and router, with only an OpenRouter key (the free models' provider)."""
    for spec in BUILTIN_PROVIDERS:
        if spec.api_key_env:
            monkeypatch.delenv(spec.api_key_env, raising=False)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test-not-called")
    async with shipped_gateway() as (client, key, _):
        yield client, key


def _largest_free_context() -> int:
    return max(m.context for m in load_catalog().free_models())


async def test_auto_free_advertises_its_largest_free_model(openrouter_only: tuple[Client, str]) -> None:
    client, key = openrouter_only
    auth = {"authorization": f"Bearer {key}"}
    listed = (await client.get("/api/openrouter/models", headers=auth)).json()["data"]
    by_id = {m["id"]: m for m in listed}
    free = _largest_free_context()
    assert by_id["auto/free"]["context_length"] == free == by_id["kilo-auto/free"]["context_length"]
    assert by_id["auto/free"]["top_provider"]["context_length"] == free
    # the paid tiers reach every callable model: the largest window among them
    callable_max = max(m["context_length"] for m in listed if not m["id"].startswith(("auto", "kilo")))
    assert by_id["auto/efficient"]["context_length"] == callable_max > free
    plain = {m["id"]: m for m in (await client.get("/v1/models", headers=auth)).json()["data"]}
    assert plain["auto/free"]["context_length"] == free
    assert plain["auto/frontier"]["context_length"] == callable_max


async def test_a_request_longer_than_every_free_model_names_the_numbers(
    openrouter_only: tuple[Client, str],
) -> None:
    client, key = openrouter_only
    free = _largest_free_context()
    text = "word " * int((free + 100_000) * 4 / 5)  # ~ free + 100k tokens at chars / 4
    body = {"model": "auto/free", "messages": [{"role": "user", "content": text}]}
    r = await client.post("/v1/chat/completions", json=body, headers={"authorization": f"Bearer {key}"})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "context_length_exceeded" and error["param"] == "messages"
    message = error["message"]
    assert "auto/free" in message and f"{free:,} tokens" in message and "1,024" in message
    assert "add free models" not in message
