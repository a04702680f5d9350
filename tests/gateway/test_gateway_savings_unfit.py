"""No saving is credited for a request the Frontier model could not have served: the router says
why in the Decision, the usage record carries it, and the savings leave the request out."""

from __future__ import annotations

import pytest
from gateway_harness import Client

from benchroute.app import create_app
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.gateway.server import InLoopServer
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.routing.evidence import Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import Settings
from benchroute.store.memory import MemoryStore
from benchroute.wire.canonical import Usage

CATALOG = Catalog(
    [  # the Frontier model holds 4,000 tokens; the Balanced one 200,000
        ModelInfo(
            id="x/big", provider="x", upstream_id="big", input_price=3.0, output_price=15.0, context=4_000
        ),
        ModelInfo(
            id="x/long", provider="x", upstream_id="long", input_price=0.1, output_price=0.4, context=200_000
        ),
    ]
)
TIERS = {"balanced": {"chat": "x/long"}, "frontier": {"reasoning": "x/big", "implementation": "x/big"}}


async def test_a_request_too_long_for_the_frontier_model_is_left_out_of_savings() -> None:
    settings = Settings(server={"discover_local": False}, store={"url": "memory://"}, tiers=TIERS)
    store = MemoryStore()
    await store.start()
    _, key = await store.create_key("default", name="test")
    engine = Router(
        CATALOG, Snapshot.from_stats([]), FakeClassifier.fixed({"implement:easy": 1.0}, 0.9), settings.tiers
    )
    fake = FakeProvider("x")
    app = create_app(settings, store=store, providers={"x": fake}, engine=engine, catalog=CATALOG)
    server = InLoopServer(app)
    await server.start()
    client = Client(server.base_url)
    auth = {"authorization": f"Bearer {key}"}
    try:
        fake.add(
            Reply(text="ok", usage=Usage(prompt_tokens=1_000, completion_tokens=100)),
            Reply(text="ok", usage=Usage(prompt_tokens=5_000, completion_tokens=100)),
        )
        short = {"model": "auto/balanced", "messages": [{"role": "user", "content": "x" * 3_000}]}
        long = {"model": "auto/balanced", "messages": [{"role": "user", "content": "x" * 20_000}]}
        assert (await client.post("/v1/chat/completions", json=short, headers=auth)).status_code == 200
        r = await client.post("/v1/chat/completions", json=long, headers=auth)
        assert r.status_code == 200 and r.headers["x-benchroute-model"] == "x/long"
        usage = (await client.get("/v1/usage", headers=auth, params={"group_by": "tier"})).json()["data"]
        decision = (
            await client.get(f"/v1/decisions/{r.headers['x-benchroute-decision-id']}", headers=auth)
        ).json()
    finally:
        await client.aclose()
        await server.stop()
    records = {r.prompt_tokens: r for r in await store.list_usage(project=None)}
    assert records[5_000].frontier_unfit == "context" and records[1_000].frontier_unfit is None
    [row] = usage
    savings = row["savings"]
    assert savings["compared_requests"] == 1
    assert savings["left_out"]["frontier_unfit"] == 1
    assert savings["left_out"]["frontier_unfit_cost_usd"] == pytest.approx(records[5_000].cost_usd)
    # only the short request is compared: its tokens at x/big's rates, minus what it cost
    assert savings["frontier_usd"] == pytest.approx((1_000 * 3.0 + 100 * 15.0) / 1e6)
    assert savings["billed_usd"] == pytest.approx(records[1_000].cost_usd)
    d = decision["decision"]
    assert d["frontier_unfit"] == "context"
    assert (
        "No saving is counted for this request: savings compare with the configured Frontier model, x/big"
        in (d["explanation"])
    )
