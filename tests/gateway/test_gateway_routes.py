"""Models, health, usage and decisions endpoints: shapes and project isolation."""

from __future__ import annotations

from gateway_harness import GatewayFactory, user


async def test_models_lists_tiers_and_allowed_catalog_ids(gateway: GatewayFactory) -> None:
    gw = await gateway()
    r = await gw.client.get("/v1/models", headers=gw.auth())
    ids = [m["id"] for m in r.json()["data"]]
    assert r.json()["object"] == "list"
    assert ids[:4] == ["auto/efficient", "auto/balanced", "auto/frontier", "auto/free"]
    assert {"fake/a", "fake/b", "fake/c"} <= set(ids)
    _, narrow = await gw.store.create_key("narrow")
    r = await gw.client.get("/v1/models", headers=gw.auth(narrow))
    assert [m["id"] for m in r.json()["data"] if "/" in m["id"] and not m["id"].startswith("auto")] == [
        "fake/b"
    ]
    assert (await gw.client.get("/v1/models")).status_code == 401


async def test_healthz_needs_no_auth(gateway: GatewayFactory) -> None:
    gw = await gateway()
    await gw.chat({"model": "fake/b", "messages": user()})
    await gw.records()
    body = (await gw.client.get("/healthz")).json()
    assert body["status"] == "ok"
    assert body["providers"] == ["fa", "fb", "fc"]
    assert body["writer"]["written"] >= 1 and body["writer"]["pending"] == 0
    assert body["version"]


async def test_usage_is_per_project(gateway: GatewayFactory) -> None:
    gw = await gateway()
    _, other = await gw.store.create_key("other")
    await gw.chat({"model": "fake/b", "messages": user()})
    await gw.chat({"model": "fake/b", "messages": user()})
    await gw.client.post(
        "/v1/chat/completions", json={"model": "fake/a", "messages": user()}, headers=gw.auth(other)
    )
    await gw.records()
    rows = (await gw.client.get("/v1/usage", headers=gw.auth(), params={"group_by": "model"})).json()["data"]
    assert [(r["group"]["model"], r["requests"]) for r in rows] == [("fake/b", 2)]
    rows = (await gw.client.get("/v1/usage", headers=gw.auth(other), params={"group_by": "model,day"})).json()
    assert [r["group"]["model"] for r in rows["data"]] == ["fake/a"]
    bad = await gw.client.get("/v1/usage", headers=gw.auth(), params={"group_by": "colour"})
    assert bad.status_code == 400 and "colour" in bad.json()["error"]["message"]
    future = await gw.client.get("/v1/usage", headers=gw.auth(), params={"since": "2999-01-01"})
    assert future.json()["data"] == []


async def test_decisions_are_per_project(gateway: GatewayFactory) -> None:
    gw = await gateway()
    _, other = await gw.store.create_key("other")
    r = await gw.chat({"model": "auto", "messages": user()}, **{"x-session-id": "s-42"})
    decision_id = r.headers["x-benchroute-decision-id"]
    got = await gw.client.get(f"/v1/decisions/{decision_id}", headers=gw.auth())
    assert got.status_code == 200
    body = got.json()
    assert body["decision"]["model"] == "fake/a" and body["decision"]["reason"] == "default"
    assert body["decision"]["served_model"] == "fake/a" and body["session_key"] == "s-42"
    assert (await gw.client.get(f"/v1/decisions/{decision_id}", headers=gw.auth(other))).status_code == 404
    listed = await gw.client.get("/v1/decisions", headers=gw.auth(), params={"session": "s-42"})
    assert [d["id"] for d in listed.json()["data"]] == [decision_id]
    listed = await gw.client.get("/v1/decisions", headers=gw.auth(other), params={"session": "s-42"})
    assert listed.json()["data"] == []


async def test_unknown_path_is_404_in_openai_shape(gateway: GatewayFactory) -> None:
    gw = await gateway()
    r = await gw.client.get("/v1/nothing", headers=gw.auth())
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await gw.client.get("/v1/chat/completions", headers=gw.auth())
    assert r.status_code == 405 and "error" in r.json()
