"""The dashboard's handlers through Starlette's TestClient, against the real gateway app and a
seeded MemoryStore: sign-in, access between projects, CSRF, the pages' numbers, settings changes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from client_harness import Dash, chart_data, open_dash
from dashboard_harness import (
    DAYS,
    DECISION_ID,
    SEED_USAGE,
    Keys,
    build_app,
    expected_series,
    seed,
    settings_for,
)
from starlette.testclient import TestClient

from benchroute.routing.base import RouteContext
from benchroute.routing.decision import Decision
from benchroute.settings import ProjectSettings
from benchroute.store.memory import MemoryStore
from benchroute.wire.canonical import ChatRequest


@pytest.fixture
def dash(tmp_path: Path) -> Iterator[Dash]:
    yield from open_dash(tmp_path)


# ---- sign-in and access ------------------------------------------------------------------------


def test_pages_need_sign_in(dash: Dash) -> None:
    r = dash.client.get("/dashboard/p/alpha/usage", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/dashboard/login"


def test_wrong_key_is_refused(dash: Dash) -> None:
    r = dash.client.post("/dashboard/login", data={"key": "br-nope", "csrf": dash.csrf()})
    assert r.status_code == 401
    assert "not valid" in r.text
    assert dash.client.get("/dashboard/p/alpha/usage", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_403(dash: Dash) -> None:
    dash.csrf()  # the browser has a session cookie, but the form lacks the token
    r = dash.client.post("/dashboard/login", data={"key": dash.keys.alpha})
    assert r.status_code == 403
    r = dash.client.post("/dashboard/login", data={"key": dash.keys.alpha, "csrf": "forged"})
    assert r.status_code == 403


def test_session_cookie_flags(dash: Dash) -> None:
    r = dash.client.get("/dashboard/login")
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain http on loopback here
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_secure_cookie_over_https(tmp_path: Path) -> None:
    store = MemoryStore()
    asyncio.run(seed(store))
    with TestClient(build_app(settings_for(tmp_path), store=store), base_url="https://testserver") as client:
        assert "Secure" in client.get("/dashboard/login").headers["set-cookie"]


def test_project_key_sees_only_its_project(dash: Dash) -> None:
    dash.login(dash.keys.alpha)
    assert dash.client.get("/dashboard/").url.path == "/dashboard/p/alpha/usage"
    for path in (
        "/dashboard/p/beta/usage",
        "/dashboard/p/beta/decisions",
        "/dashboard/p/beta/settings",
        "/dashboard/p/beta/decisions/seed-006",
        "/dashboard/p/alpha/decisions/seed-006",  # beta's decision under alpha's name
    ):
        r = dash.client.get(path)
        assert r.status_code == 404, path
    csrf = dash.csrf("/dashboard/p/alpha/settings")
    r = dash.client.post("/dashboard/p/beta/settings", data={"csrf": csrf, "tier": "auto/frontier"})
    assert r.status_code == 404
    assert asyncio.run(dash.store.get_project_settings("beta")) is None


def test_admin_sees_every_project(dash: Dash) -> None:
    dash.login(dash.keys.admin)
    index = dash.client.get("/dashboard/")
    assert index.url.path == "/dashboard/"
    for name in ("alpha", "beta", "default"):
        assert f"/dashboard/p/{name}/usage" in index.text
    assert dash.client.get("/dashboard/p/beta/usage").status_code == 200


def test_revoked_key_ends_the_session(dash: Dash) -> None:
    csrf = dash.login(dash.keys.alpha)
    key_id = dash.keys.alpha.split("-")[1]
    r = dash.client.post(f"/dashboard/p/alpha/keys/{key_id}/revoke", data={"csrf": csrf})
    assert r.status_code == 200
    r = dash.client.get("/dashboard/p/alpha/usage", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/login"


def test_logout(dash: Dash) -> None:
    csrf = dash.login(dash.keys.alpha)
    assert dash.client.post("/dashboard/logout", data={"csrf": csrf}).url.path == "/dashboard/login"
    assert dash.client.get("/dashboard/p/alpha/usage", follow_redirects=False).status_code == 303


# ---- usage ---------------------------------------------------------------------------------------


def test_usage_charts_carry_the_seeded_numbers(dash: Dash) -> None:
    dash.login(dash.keys.alpha)
    page = dash.client.get("/dashboard/p/alpha/usage?range=30d")
    assert page.status_code == 200
    data = chart_data(page.text, "usage-data")
    labels = data["labels"]
    assert len(labels) == 31 and labels[-3:] == DAYS  # every day of the range, empty ones included
    expected = expected_series("alpha")
    got = {s["model"]: dict(zip(labels, s["data"], strict=True)) for s in data["cost"]}  # type: ignore[attr-defined]
    for model, by_day in expected.items():
        for day in labels:
            assert got[model][day] == pytest.approx(by_day.get(day, 0.0))
    assert set(got) == set(expected)
    counts = {s["model"]: sum(s["data"]) for s in data["requests"]}  # type: ignore[attr-defined]
    assert counts == {"fake/a": 2, "fake/b": 3, "fake/c": 1}
    # savings: the tokens of each routed (non-manual) request at the Frontier model's rates (no mode:
    # the implementation model fake/c, $5 / $10 per million) minus what it cost; manual left out
    saved = sum(
        ((1000 + i) * 5.0 + (100 + i) * 10.0) / 1e6 - r.cost
        for i, r in enumerate(SEED_USAGE)
        if r.project == "alpha" and r.tier != "manual"
    )
    assert saved < 0  # the seed's costs are above fake/c's rates: an honest negative saving
    assert f'id="savings">-${-saved:,.4f}<' in page.text
    assert "1 manual request" in page.text
    assert "sess-9" not in page.text  # beta's session
    assert "sess-2" in page.text  # the top session (fake/c's cost)


def test_usage_filters_by_tier_and_client(dash: Dash) -> None:
    dash.login(dash.keys.alpha)
    page = dash.client.get("/dashboard/p/alpha/usage?tier=auto/efficient&client=kilo-code")
    data = chart_data(page.text, "usage-data")
    got = {s["model"]: sum(s["data"]) for s in data["cost"]}  # type: ignore[attr-defined]
    expected = expected_series("alpha", tier="auto/efficient", client="kilo-code")
    assert got == pytest.approx({m: sum(v.values()) for m, v in expected.items()})
    assert "fake/c" not in got


# ---- decisions -----------------------------------------------------------------------------------


def test_decisions_search(dash: Dash) -> None:
    dash.login(dash.keys.alpha)
    page = dash.client.get("/dashboard/p/alpha/decisions")
    assert page.status_code == 200
    assert "7 decisions" in page.text  # six seeded usage decisions + the explained one
    page = dash.client.get("/dashboard/p/alpha/decisions?q=debug:medium")
    assert "1 decision matching" in page.text and DECISION_ID in page.text
    fragment = dash.client.get("/dashboard/p/alpha/decisions?q=fake/c", headers={"hx-request": "true"})
    assert "<html" not in fragment.text
    assert "1 decision matching" in fragment.text and "seed-003" in fragment.text
    session = dash.client.get("/dashboard/p/alpha/decisions?session=sess-3")
    assert "3 decisions" in session.text


def test_decision_page_explains_the_choice(dash: Dash) -> None:
    dash.login(dash.keys.alpha)
    page = dash.client.get(f"/dashboard/p/alpha/decisions/{DECISION_ID}")
    assert page.status_code == 200
    text = page.text
    assert 'id="chosen-model">fake/b<' in text
    assert "cheapest_above_bar" in text and "clears the bar 0.720" in text
    assert 'id="confidence">0.810<' in text and 'id="bar">0.720<' in text
    assert 'id="session-action">new<' in text
    cells = chart_data(text, "cells-data")
    assert cells == {"cells": ["debug:medium", "edit:easy", "implement:medium"], "probs": [0.62, 0.25, 0.13]}
    for model in ("fake/a", "fake/b", "fake/c", "fake/x"):
        assert f"<td>{model}" in text
    assert "not_allowed" in text


# ---- leaderboard ---------------------------------------------------------------------------------


def test_leaderboard_and_its_static_export(dash: Dash) -> None:
    from benchroute.leaderboard.loader import load_default_snapshot

    snapshot = load_default_snapshot()
    dash.login(dash.keys.alpha)
    page = dash.client.get("/dashboard/leaderboard")
    assert page.status_code == 200
    for model in snapshot.models():
        assert f'<th scope="row">{model}</th>' in page.text
    some = next(s for s in snapshot if s.trials > 0)  # a measured cell (the others show "no evidence")
    low, high = some.wilson()
    assert f"[{low:.2f}–{high:.2f}]" in page.text
    export = dash.client.get("/dashboard/leaderboard.html")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    assert export.text.startswith("<!doctype html>") and "id=board" in export.text


# ---- settings ------------------------------------------------------------------------------------


def test_settings_change_is_validated_recorded_and_routes_the_next_request(dash: Dash) -> None:
    assert dash.chat(dash.keys.alpha) == "fake/a"  # the configured balanced default comes first
    csrf = dash.login(dash.keys.alpha)
    bad = dash.client.post(
        "/dashboard/p/alpha/settings",
        data={
            "csrf": csrf,
            "tier": "auto/efficient",
            "dial": "1.5",
            "min_confidence": "0.6",
            "allowed_models": "*",
        },
    )
    assert bad.status_code == 400 and 'data-field="dial"' in bad.text
    none = dash.client.post(
        "/dashboard/p/alpha/settings",
        data={
            "csrf": csrf,
            "tier": "auto/efficient",
            "dial": "0.5",
            "min_confidence": "0.6",
            "allowed_models": "nope/*",
        },
    )
    assert none.status_code == 400 and "matches no model" in none.text
    assert asyncio.run(dash.store.get_project_settings("alpha")) is None

    ok = dash.client.post(
        "/dashboard/p/alpha/settings",
        data={
            "csrf": csrf,
            "tier": "auto/efficient",
            "dial": "0.8",
            "min_confidence": "0.6",
            "allowed_models": "fake/b\n",
        },
    )
    assert ok.status_code == 200 and "Settings saved" in ok.text
    assert asyncio.run(dash.store.get_project_settings("alpha")) == {
        "dial": 0.8,
        "allowed_models": ["fake/b"],
    }
    changes = asyncio.run(dash.store.list_settings_changes(project="alpha"))
    assert len(changes) == 1 and changes[0].actor.startswith("dashboard key ")
    assert dash.chat(dash.keys.alpha) == "fake/b"  # no restart
    assert dash.chat(dash.keys.beta) == "fake/a"  # other projects unchanged
    listed = dash.client.get("/v1/models", headers={"authorization": f"Bearer {dash.keys.alpha}"}).json()
    ids = {m["id"] for m in listed["data"]}
    assert "fake/b" in ids and "fake/a" not in ids
    # a manual request for a model no longer allowed is refused
    r = dash.client.post(
        "/v1/chat/completions",
        json={"model": "fake/a", "messages": [{"role": "user", "content": "hi"}]},
        headers={"authorization": f"Bearer {dash.keys.alpha}"},
    )
    assert r.status_code == 403


def test_settings_post_without_csrf_is_403(dash: Dash) -> None:
    dash.login(dash.keys.alpha)
    r = dash.client.post(
        "/dashboard/p/alpha/settings",
        data={"tier": "auto/frontier", "dial": "0.5", "min_confidence": "0.6", "allowed_models": "*"},
    )
    assert r.status_code == 403
    assert asyncio.run(dash.store.get_project_settings("alpha")) is None


def test_provider_keys_are_write_only(dash: Dash) -> None:
    csrf = dash.login(dash.keys.alpha)
    secret = "sk-live-0123456789abcdef"
    page = dash.client.post(
        "/dashboard/p/alpha/provider-keys", data={"csrf": csrf, "provider": "fa", "secret": secret}
    )
    assert page.status_code == 200
    assert secret not in page.text and "sk-...cdef" in page.text
    assert asyncio.run(dash.store.get_provider_key("alpha", "fa")) == secret
    bad = dash.client.post(
        "/dashboard/p/alpha/provider-keys", data={"csrf": csrf, "provider": "nope", "secret": "x"}
    )
    assert bad.status_code == 400
    page = dash.client.post("/dashboard/p/alpha/provider-keys/delete", data={"csrf": csrf, "provider": "fa"})
    assert page.status_code == 200 and "sk-...cdef" not in page.text
    assert asyncio.run(dash.store.get_provider_key("alpha", "fa")) is None


def test_gateway_key_created_once_and_revoked(dash: Dash) -> None:
    csrf = dash.login(dash.keys.alpha)
    page = dash.client.post("/dashboard/p/alpha/keys", data={"csrf": csrf, "name": "ci runner"})
    assert [r.status_code for r in page.history] == [303]  # post/redirect/get
    assert "created=" in str(page.url) and "br-" not in str(page.url)
    match = re.search(r'<code id="new-key">([^<]+)</code>', page.text)
    assert match
    new_key = match.group(1)
    assert new_key not in dash.client.get(str(page.url)).text  # the same URL again: not shown again
    assert dash.chat(new_key, "fake/c") == "fake/c"
    assert new_key not in dash.client.get("/dashboard/p/alpha/settings").text  # shown only once
    key_id = new_key.split("-")[1]
    page = dash.client.post(f"/dashboard/p/alpha/keys/{key_id}/revoke", data={"csrf": csrf})
    assert page.status_code == 200 and "Key revoked" in page.text
    assert asyncio.run(dash.store.verify_key(new_key)) is None
    # another project's key cannot be revoked from here
    beta_id = dash.keys.beta.split("-")[1]
    assert (
        dash.client.post(f"/dashboard/p/alpha/keys/{beta_id}/revoke", data={"csrf": csrf}).status_code == 404
    )


class RecordingEngine:
    """A RoutingEngine that routes everything to fake/b and remembers the ProjectSettings it was given."""

    def __init__(self) -> None:
        self.seen: list[ProjectSettings] = []

    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision:
        self.seen.append(project)
        return Decision(model="fake/b", tier=project.tier, reason="default", requested_model=request.model)


def test_tier_and_dial_reach_the_engine_on_the_next_request(tmp_path: Path) -> None:
    store = MemoryStore()
    keys = asyncio.run(seed(store))
    engine = RecordingEngine()
    with TestClient(build_app(settings_for(tmp_path), store=store, engine=engine)) as client:
        dash = Dash(client, store, keys)
        dash.chat(keys.alpha)
        assert (engine.seen[-1].tier, engine.seen[-1].dial) == ("auto/efficient", 0.5)
        csrf = dash.login(keys.alpha)
        form = {
            "csrf": csrf,
            "tier": "auto/frontier",
            "dial": "0.25",
            "min_confidence": "0.9",
            "allowed_models": "*",
        }
        assert client.post("/dashboard/p/alpha/settings", data=form).status_code == 200
        assert dash.chat(keys.alpha, "auto") == "fake/b"
        seen = engine.seen[-1]
        assert (seen.tier, seen.dial, seen.min_confidence) == ("auto/frontier", 0.25, 0.9)
        dash.chat(keys.beta)
        assert engine.seen[-1].tier == "auto/efficient"


def test_configured_admin_key_signs_in(tmp_path: Path) -> None:
    store = MemoryStore()
    asyncio.run(seed(store))
    settings = settings_for(tmp_path, admin_key="configured-admin-secret")
    with TestClient(build_app(settings, store=store)) as client:
        dash = Dash(client, store, Keys("", "", ""))
        dash.login("configured-admin-secret")
        page = client.get("/dashboard/")
        assert page.url.path == "/dashboard/" and "/dashboard/p/beta/usage" in page.text


def test_without_auth_the_dashboard_is_project_default(tmp_path: Path) -> None:
    store = MemoryStore()
    asyncio.run(seed(store))
    with TestClient(build_app(settings_for(tmp_path, auth="none"), store=store)) as client:
        assert client.get("/dashboard/").url.path == "/dashboard/p/default/usage"
        assert client.get("/dashboard/p/alpha/usage").status_code == 404
