"""No secret in any error message or log line, and no project reads another project's data.

The gateway runs for real (uvicorn on loopback, SQLite store, the scripted upstream) with a
provider key in the config and a BYOK key in the store; the tests trigger every kind of error and
scan everything the clients received and everything logged (all loggers, DEBUG) for the secrets.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from reliability_harness import free_port, static_gateway
from starlette.routing import BaseRoute, Mount, Route

from benchroute.gateway.state import GatewayState
from benchroute.settings import Settings
from support.upstream import Script, ScriptedUpstream

PROVIDER_KEY = "sk-provider-5ecret-d0-not-leak-1111"
BYOK_KEY = "sk-byok-5ecret-d0-not-leak-2222"
SERVER_SECRET = "server-5ecret-d0-not-leak-3333"
ADMIN_KEY = "br-admin-5ecret-d0-not-leak-4444"

pytestmark = pytest.mark.slow


@dataclass
class Running:
    url: str
    state: GatewayState
    upstream: ScriptedUpstream
    keys: dict[str, str]
    routes: list[BaseRoute]
    seen: list[str]  # every response status line, header and body


@pytest.fixture
async def gateway(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Running]:
    caplog.set_level(logging.DEBUG)
    dead_port = free_port()  # nothing listens there
    async with ScriptedUpstream() as upstream:
        settings = Settings(
            data_dir=tmp_path,
            server={"discover_local": False, "retries": 0, "secret": SERVER_SECRET, "admin_key": ADMIN_KEY,
                    "read_timeout": 1.0, "max_body_bytes": 4096},
            store={"url": f"sqlite:///{tmp_path / 'sec.db'}"},
            providers={
                "up": {"kind": "openai", "base_url": upstream.openai_base_url, "api_key": PROVIDER_KEY},
                "byok": {"kind": "openai", "base_url": upstream.openai_base_url},
                "dead": {"kind": "openai", "base_url": f"http://127.0.0.1:{dead_port}/v1",
                         "api_key": PROVIDER_KEY},
            },
            models=[
                {"id": "up/m", "provider": "up", "upstream_id": "m", "input_price": 1.0, "output_price": 1.0},
                {"id": "byok/m", "provider": "byok", "upstream_id": "m"},
                {"id": "dead/m", "provider": "dead", "upstream_id": "m"},
            ],
            tiers={"default": "up/m"},
            projects={"default": {}, "alpha": {}, "beta": {}},
        )  # fmt: skip
        async with static_gateway(settings) as gw:
            keys = {}
            for project in ("alpha", "beta"):
                _, keys[project] = await gw.state.store.create_key(project, name=project)
                await gw.state.store.set_provider_key(project, "byok", BYOK_KEY)
            yield Running(gw.base_url, gw.state, upstream, keys, list(gw.app.routes), [])


async def _call(
    run: Running,
    method: str,
    path: str,
    *,
    key: str | None = None,
    body: Any = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    hdrs = {"content-type": "application/json", **(headers or {})}
    if key is not None:
        hdrs["authorization"] = f"Bearer {key}"
    async with aiohttp.ClientSession() as session:
        kw: dict[str, Any] = {"json": body} if body is not None else {"data": raw}
        async with session.request(method, run.url + path, headers=hdrs, **kw) as r:
            text = (await r.read()).decode("utf-8", "replace")
            run.seen.append(f"{r.status} {dict(r.headers)} {text}")
            return r.status, text


def _chat(model: str, stream: bool = False) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": stream}


async def test_no_secret_reaches_a_response_or_a_log(
    gateway: Running, caplog: pytest.LogCaptureFixture
) -> None:
    run, key = gateway, gateway.keys["alpha"]
    up = run.upstream
    # Upstreams that echo the key they were sent, as OpenAI's 401 does ("Incorrect API key provided").
    up.add(Script(status=401, error_message=f"Incorrect API key provided: {BYOK_KEY}"))
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, body=_chat("byok/m")))[0] >= 400
    up.add(Script(status=500, error_message=f"internal: bearer {PROVIDER_KEY} failed"))
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, body=_chat("up/m")))[0] >= 500
    up.add(Script(status=429, error_message=f"slow down {PROVIDER_KEY}", retry_after="1"))
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, body=_chat("up/m")))[0] >= 429
    up.add(Script(raw_body=f"<html>proxy error for key {PROVIDER_KEY}</html>".encode()))
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, body=_chat("up/m")))[0] >= 500
    up.add(Script(reset_after=1))
    await _call(run, "POST", "/v1/chat/completions", key=key, body=_chat("up/m", stream=True))
    up.add(Script(hang=True))
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, body=_chat("up/m")))[0] >= 500
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, body=_chat("dead/m")))[0] >= 500
    # the client's side of things
    assert (await _call(run, "POST", "/v1/chat/completions", key=PROVIDER_KEY, body=_chat("up/m")))[0] == 401
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, raw=b'{"model": '))[0] == 400
    assert (await _call(run, "POST", "/v1/chat/completions", key=key, raw=b"x" * 10_000))[0] == 413
    assert (await _call(run, "POST", "/v1/messages", key=key, body={"model": 1}))[0] == 400
    assert (await _call(run, "GET", "/v1/usage", key=key))[0] == 200
    assert (await _call(run, "GET", "/healthz"))[0] == 200
    assert (await _call(run, "GET", "/openapi.json"))[0] == 200
    await run.state.writer.flush()  # type: ignore[attr-defined]
    records = await run.state.store.list_usage(project=None, limit=1000)
    stored = " ".join(f"{r.error} {r.user_agent}" for r in records)
    everything = "\n".join([*run.seen, caplog.text, stored])
    assert "Incorrect API key provided" in everything or "401" in everything  # the errors did happen
    for secret in (PROVIDER_KEY, BYOK_KEY, SERVER_SECRET, ADMIN_KEY, key):
        assert secret not in everything, f"secret {secret[:8]}... leaked"


def _get_routes(routes: list[BaseRoute], prefix: str = "") -> list[str]:
    out: list[str] = []
    for route in routes:
        if isinstance(route, Route) and "GET" in (route.methods or set()):
            out.append(prefix + route.path)
        elif isinstance(route, Mount) and route.routes:
            out.extend(_get_routes(list(route.routes), prefix + route.path))
    return out


async def test_every_get_route_keeps_projects_apart(gateway: Running) -> None:
    run = gateway
    marker = "alpha-private-session-7f3a"
    status, text = await _call(
        run, "POST", "/v1/chat/completions", key=run.keys["alpha"], body=_chat("up/m"),
        headers={"x-session-id": marker},
    )  # fmt: skip
    assert status == 200
    await run.state.writer.flush()  # type: ignore[attr-defined]
    alpha = await run.state.store.list_usage(project="alpha")
    decision_id = alpha[0].id
    # alpha itself can read its decision (so the checks below would notice a leak)
    status, text = await _call(run, "GET", f"/v1/decisions/{decision_id}", key=run.keys["alpha"])
    assert status == 200 and marker in text
    paths = _get_routes(run.routes)
    assert "/v1/usage" in paths and "/v1/decisions/{decision_id}" in paths
    checked = 0
    for path in paths:
        concrete = path.replace("{decision_id}", decision_id).replace("{project}", "alpha")
        concrete = concrete.replace("{key_id}", "x").replace("{path:path}", "x")
        for query in ("", f"?project=alpha&session={marker}&group_by=session"):
            status, text = await _call(run, "GET", concrete + query, key=run.keys["beta"])
            assert status < 500, (concrete, status, text)
            assert marker not in text, f"{concrete}{query} leaks alpha's data"
            if status < 400:  # an error may quote the id the caller sent; nothing else may show it
                assert decision_id not in text, f"{concrete}{query} leaks alpha's data"
            checked += 1
    assert checked >= 2 * 6
