"""Saved vs always-Frontier, end to end: a known mix of requests (Frontier, Efficient in two modes,
manual, failed, rejected) with fixed token counts goes through the real gateway; the dashboard (in
Chromium), `benchroute usage` and `GET /v1/usage` must all show the figure computed here by hand."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from browser_harness import live_dashboard
from click.testing import CliRunner, Result

from benchroute.cli.main import cli
from benchroute.providers.base import ProviderError
from benchroute.providers.fake import FakeProvider, Reply
from benchroute.wire.canonical import Usage

pytestmark = pytest.mark.slow

# Prices (USD per million tokens, dashboard_harness.MODELS): fake/a 1 / 2, fake/b 0.5 / 1, fake/c 5 / 10.
# Frontier (dashboard_harness.settings_for): implementation (code, no mode) fake/c; reasoning (plan) fake/a.
# The static router serves chat with fake/a and messages with fake/c.
#   F   auto/frontier, messages, mode code, fake/c, 1000 in / 200 out: billed 0.0070, Frontier 0.0070
#   E1  auto/efficient, chat, mode code, fake/a, 2000 / 500:          billed 0.0030, Frontier 0.0150
#   E2  auto/efficient, chat, mode plan, fake/a, 3000 / 1000:         billed 0.0050, Frontier 0.0050
#   M   manual fake/b, 1000 / 1000: billed 0.0015, left out (the client named the model)
#   X   auto/efficient, every candidate fails: left out (failed)
#   R   an unknown model, rejected before routing: left out (failed)
BILLED = 0.0070 + 0.0030 + 0.0050
FRONTIER = 0.0070 + 0.0150 + 0.0050
SAVED = FRONTIER - BILLED  # 0.0120
MANUAL = 0.0015

CONFIG = """data_dir = "{tmp}"
[store]
url = "sqlite:///{tmp}/dash.db"
[tiers]
default = "fake/b"
balanced = {{ chat = "fake/a", messages = "fake/c" }}
frontier = {{ implementation = "fake/c", reasoning = "fake/a" }}
[[models]]
id = "fake/a"
provider = "fa"
upstream_id = "a-up"
input_price = 1.0
output_price = 2.0
[[models]]
id = "fake/b"
provider = "fb"
upstream_id = "b-up"
input_price = 0.5
output_price = 1.0
[[models]]
id = "fake/c"
provider = "fc"
upstream_id = "c-up"
input_price = 5.0
output_price = 10.0
"""


def _reply(prompt: int, completion: int) -> Reply:
    return Reply(text="ok", usage=Usage(prompt_tokens=prompt, completion_tokens=completion))


async def _send(base: str, key: str, path: str, body: dict[str, Any], mode: str | None) -> int:
    headers = {"authorization": f"Bearer {key}", "x-api-key": key}
    if mode:
        headers["x-kilocode-mode"] = mode
    async with aiohttp.ClientSession() as http, http.post(base + path, json=body, headers=headers) as r:
        await r.read()
        return r.status


async def _send_the_mix(base: str, key: str, providers: dict[str, FakeProvider]) -> list[int]:
    fa, fb, fc = providers["fa"], providers["fb"], providers["fc"]
    chat = "/v1/chat/completions"
    msg = [{"role": "user", "content": "hi"}]
    fc.add(_reply(1000, 200))
    statuses = [
        await _send(
            base, key, "/v1/messages", {"model": "auto/frontier", "max_tokens": 50, "messages": msg}, "code"
        )
    ]
    fa.add(_reply(2000, 500))
    statuses.append(await _send(base, key, chat, {"model": "auto/efficient", "messages": msg}, "code"))
    fa.add(_reply(3000, 1000))
    statuses.append(await _send(base, key, chat, {"model": "auto/efficient", "messages": msg}, "plan"))
    fb.add(_reply(1000, 1000))
    statuses.append(await _send(base, key, chat, {"model": "fake/b", "messages": msg}, "code"))
    for p in (fa, fb, fc):
        p.add(*[ProviderError("server", "upstream overloaded", status=503) for _ in range(6)])
    statuses.append(await _send(base, key, chat, {"model": "auto/efficient", "messages": msg}, "code"))
    statuses.append(await _send(base, key, chat, {"model": "nope/unknown", "messages": msg}, "code"))
    return statuses


async def _cli(config: Path, *args: str) -> Result:
    """`benchroute usage --project beta ...` (in a thread: the CLI runs its own event loop)."""
    argv = ["--config", str(config), "usage", "--project", "beta", *args]
    return await asyncio.to_thread(CliRunner().invoke, cli, argv, obj={})


async def test_saved_figure_matches_the_hand_computation_everywhere(tmp_path: Path) -> None:
    async with live_dashboard(tmp_path) as live:
        providers = live.providers
        statuses = await _send_the_mix(live.base_url, live.keys.beta, providers)
        assert statuses[:4] == [200, 200, 200, 200] and statuses[4] >= 500 and statuses[5] == 404

        # the dashboard (Chromium)
        page = live.page
        await live.sign_in(live.keys.beta)
        await page.goto(live.base_url + "/dashboard/p/beta/usage?range=24h")
        assert await page.inner_text("#savings") == f"${SAVED:,.4f}"
        assert await page.inner_text("#frontier-cost") == f"${FRONTIER:,.4f}"
        assert await page.inner_text("#compared-cost") == f"${BILLED:,.4f}"
        note = await page.inner_text("#savings-note")
        # beta's seeded manual request (dashboard_harness.SEED_USAGE, $1.00 today) is left out as well
        assert "2 failed requests" in note and "2 manual requests" in note and f"${MANUAL + 1.0:,.4f}" in note
        assert live.console_errors == []

        # GET /v1/usage, total and by mode
        async with aiohttp.ClientSession() as http:
            auth = {"authorization": f"Bearer {live.keys.beta}"}
            async with http.get(
                live.base_url + "/v1/usage", params={"group_by": "mode", "since": "2000-01-01"}, headers=auth
            ) as r:
                by_mode = {row["group"]["mode"]: row["savings"] for row in (await r.json())["data"]}
        assert by_mode["code"]["saved_usd"] == pytest.approx(0.0120)
        assert by_mode["plan"]["saved_usd"] == pytest.approx(0.0)
        assert sum(s["saved_usd"] for s in by_mode.values()) == pytest.approx(SAVED)
        assert sum(s["frontier_usd"] for s in by_mode.values()) == pytest.approx(FRONTIER)

        # benchroute usage, on the same database
        config = tmp_path / "benchroute.toml"
        config.write_text(CONFIG.format(tmp=tmp_path))
        out = await _cli(config, "--json")
        assert out.exit_code == 0, out.output
        total = json.loads(out.output)["total"]
        seeded_manual = 1.0  # dashboard_harness.SEED_USAGE: beta's one manual request
        assert total["savings_usd"] == pytest.approx(SAVED)
        assert total["frontier_cost_usd"] == pytest.approx(FRONTIER)
        assert total["savings"]["left_out"]["manual_cost_usd"] == pytest.approx(MANUAL + seeded_manual)
        table = await _cli(config, "--by", "mode")
        assert table.exit_code == 0 and "plan" in table.output and "code" in table.output
        assert f"${SAVED:,.4f}" in table.output
