"""Dashboard roles through a real socket: a project key can narrow its project but not widen what
the operator configured (allowed_models), and the keys it creates are tied to it and revoked with
it; the admin key can widen. Also: `Authorization: Basic` is reported as unsupported."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from reliability_harness import static_gateway

from benchroute.gateway.state import GatewayState
from benchroute.settings import Settings
from support.upstream import ScriptedUpstream

ADMIN_KEY = "br-admin-roles-test-key-0000"

pytestmark = pytest.mark.slow


@dataclass
class Running:
    url: str
    state: GatewayState
    ci_key: str


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Running]:
    async with ScriptedUpstream() as upstream:
        settings = Settings(
            data_dir=tmp_path,
            server={"discover_local": False, "retries": 0, "admin_key": ADMIN_KEY},
            store={"url": f"sqlite:///{tmp_path / 'roles.db'}"},
            providers={"up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": "k"}},
            models=[
                {"id": "up/ok", "provider": "up", "upstream_id": "ok"},
                {"id": "up/other", "provider": "up", "upstream_id": "other"},
            ],
            tiers={"default": "up/ok"},
            projects={"ci": {"allowed_models": ["up/ok"]}},
        )
        async with static_gateway(settings) as gw:
            _, ci_key = await gw.state.store.create_key("ci", name="ci")
            yield Running(gw.base_url, gw.state, ci_key)


async def _sign_in(http: aiohttp.ClientSession, url: str, key: str) -> str:
    async with http.get(url + "/dashboard/login") as r:
        csrf = _csrf(await r.text())
    async with http.post(url + "/dashboard/login", data={"key": key, "csrf": csrf}) as r:
        assert r.status == 200, await r.text()
        return _csrf(await r.text())


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


async def _save(http: aiohttp.ClientSession, url: str, csrf: str, allowed: str) -> aiohttp.ClientResponse:
    form = {
        "csrf": csrf,
        "tier": "auto/efficient",
        "dial": "0.5",
        "min_confidence": "0.6",
        "allowed_models": allowed,
    }
    async with http.post(url + "/dashboard/p/ci/settings", data=form) as r:
        await r.read()
        return r


async def _chat(url: str, key: str, model: str) -> int:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url + "/v1/chat/completions", json=body, headers={"authorization": f"Bearer {key}"}) as r,
    ):
        await r.read()
        return r.status


def _jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1


async def test_a_project_key_cannot_widen_allowed_models(gateway: Running) -> None:
    async with aiohttp.ClientSession(cookie_jar=_jar()) as http:
        csrf = await _sign_in(http, gateway.url, gateway.ci_key)
        r = await _save(http, gateway.url, csrf, "*")
        assert r.status == 403
        r = await _save(http, gateway.url, csrf, "up/other")
        assert r.status == 403
        assert await gateway.state.store.get_project_settings("ci") is None
    assert await _chat(gateway.url, gateway.ci_key, "up/other") == 403


async def test_a_project_key_can_narrow_and_the_admin_can_widen(gateway: Running) -> None:
    async with aiohttp.ClientSession(cookie_jar=_jar()) as http:
        csrf = await _sign_in(http, gateway.url, gateway.ci_key)
        r = await _save(http, gateway.url, csrf, "up/ok")
        assert r.status == 200
    async with aiohttp.ClientSession(cookie_jar=_jar()) as http:
        csrf = await _sign_in(http, gateway.url, ADMIN_KEY)
        r = await _save(http, gateway.url, csrf, "*")
        assert r.status == 200
        assert await gateway.state.store.get_project_settings("ci") == {"allowed_models": ["*"]}
    assert await _poll_status(gateway.url, gateway.ci_key, "up/other", 200)


async def _poll_status(url: str, key: str, model: str, status: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await _chat(url, key, model) == status:
            return True
        await asyncio.sleep(0.2)
    return False


async def test_keys_created_with_a_project_key_are_revoked_with_it(gateway: Running) -> None:
    async with aiohttp.ClientSession(cookie_jar=_jar()) as http:
        csrf = await _sign_in(http, gateway.url, gateway.ci_key)
        async with http.post(gateway.url + "/dashboard/p/ci/keys", data={"csrf": csrf, "name": "child"}) as r:
            match = re.search(r'<code id="new-key">([^<]+)</code>', await r.text())
    assert match
    child = match.group(1)
    info = await gateway.state.store.verify_key(child)
    assert info is not None and info.parent == gateway.ci_key.split("-")[1]
    assert await _chat(gateway.url, child, "up/ok") == 200
    assert await gateway.state.store.revoke_key(gateway.ci_key.split("-")[1])
    assert await gateway.state.store.verify_key(child) is None
    assert await _poll_status(gateway.url, child, "up/ok", 401)  # after the auth cache's short TTL


async def test_basic_auth_is_reported_as_unsupported(gateway: Running) -> None:
    body = {"model": "up/ok", "messages": [{"role": "user", "content": "hi"}]}
    headers = {"authorization": "Basic dXNlcjpwYXNz"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(gateway.url + "/v1/chat/completions", json=body, headers=headers) as r,
    ):
        doc = await r.json()
    assert r.status == 401 and doc["error"]["code"] == "unsupported_auth_scheme"
    assert "Basic" in doc["error"]["message"]
