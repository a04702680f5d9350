"""Browser tests: Debian's Chromium, driven by Playwright, against the real gateway on loopback
(uvicorn, SQLite store seeded through the running app). Screenshots of every page go to
test-artifacts/dashboard/."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from browser_harness import live_dashboard
from dashboard_harness import DAYS, DECISION_ID, expected_series

pytestmark = pytest.mark.slow


async def test_admin_tour_charts_decisions_leaderboard(tmp_path: Path) -> None:
    async with live_dashboard(tmp_path) as live:
        page = live.page
        await live.shot("login")
        await live.sign_in(live.keys.admin)
        assert page.url.endswith("/dashboard/")
        assert await page.locator("#projects a[href='/dashboard/p/alpha/usage']").count() == 1
        await live.shot("projects")

        await page.goto(live.base_url + "/dashboard/p/alpha/usage")
        await page.wait_for_function("() => window.Chart && Chart.getChart('chart-cost')")
        drawn = await page.evaluate(
            """() => ['chart-requests', 'chart-cost'].map(id => {
                 const c = Chart.getChart(id);
                 return {labels: c.data.labels,
                         series: c.data.datasets.map(d => ({model: d.label, data: d.data}))};
               })"""
        )
        requests, cost = drawn
        labels = cost["labels"]
        assert len(labels) == 31 and labels[-3:] == DAYS and requests["labels"] == labels
        expected = expected_series("alpha")
        got = {s["model"]: dict(zip(labels, s["data"], strict=True)) for s in cost["series"]}
        assert set(got) == set(expected)
        for model, by_day in expected.items():
            for day in labels:
                assert got[model][day] == pytest.approx(by_day.get(day, 0.0))
        assert {s["model"]: sum(s["data"]) for s in requests["series"]} == {
            "fake/a": 2,
            "fake/b": 3,
            "fake/c": 1,
        }
        # the canvases were really drawn on
        assert await page.evaluate("() => Chart.getChart('chart-cost').canvas.width") > 100
        await live.shot("usage")

        # filters reload the page with the tier and client applied
        await page.select_option("select[name=client]", "kilo-code")
        await page.click("#usage-filters button[type=submit]")
        await page.wait_for_function("() => window.Chart && Chart.getChart('chart-cost')")
        models = await page.evaluate("() => Chart.getChart('chart-cost').data.datasets.map(d => d.label)")
        assert sorted(models) == sorted(expected_series("alpha", client="kilo-code"))

        # decisions: the search box filters through htmx without a page load
        await page.goto(live.base_url + "/dashboard/p/alpha/decisions")
        assert "7 decisions" in await page.inner_text("#decision-count")
        await page.wait_for_load_state("networkidle")
        await page.fill("#decision-search", "debug:medium")
        await page.wait_for_function(
            "() => document.querySelector('#decision-count').textContent.includes('matching')"
        )
        assert await page.locator("#decisions tbody tr").count() == 1
        assert "q=debug" in page.url  # the search is in the URL (bookmark, back button)
        await live.shot("decisions")
        await page.click("#decisions tbody tr a")
        await page.wait_for_function("() => window.Chart && Chart.getChart('chart-cells')")
        assert DECISION_ID in page.url
        assert await page.inner_text("#chosen-model") == "fake/b"
        cells = await page.evaluate("() => Chart.getChart('chart-cells').data.datasets[0].data")
        assert cells == [0.62, 0.25, 0.13]
        chosen = await page.inner_text("#candidates tr.chosen td:first-child")
        assert chosen.startswith("fake/b")
        await live.shot("decision")

        # leaderboard: sortable by clicking a column
        await page.goto(live.base_url + "/dashboard/leaderboard")
        first_before = await page.inner_text("#leaderboard tbody tr:first-child th")
        await page.click("#leaderboard thead th:first-child button")
        names = await page.eval_on_selector_all(
            "#leaderboard tbody tr th", "tds => tds.map(t => t.textContent)"
        )
        assert names == sorted(names) and len(names) > 5
        assert first_before  # ranked by overall accuracy before the click
        await live.shot("leaderboard")

        # readable on a phone: nothing wider than the screen except inside scroll boxes
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.goto(live.base_url + "/dashboard/p/alpha/usage")
        await page.wait_for_function("() => window.Chart && Chart.getChart('chart-cost')")
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        await live.shot("usage-phone")
        assert live.console_errors == []  # no CSP violation, no script error


async def test_project_key_settings_take_effect_and_access_rules(tmp_path: Path) -> None:
    async with live_dashboard(tmp_path) as live:
        page = live.page

        async def routed_model() -> str:
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    live.base_url + "/v1/chat/completions",
                    json={"model": "auto", "messages": [{"role": "user", "content": "hi"}]},
                    headers={"authorization": f"Bearer {live.keys.alpha}"},
                ) as r,
            ):
                assert r.status == 200, await r.text()
                return r.headers["x-benchroute-model"]

        assert await routed_model() == "fake/a"
        await live.sign_in(live.keys.alpha)
        assert page.url.endswith("/dashboard/p/alpha/usage")

        # another project's page is not there for this key
        response = await page.goto(live.base_url + "/dashboard/p/beta/usage")
        assert response is not None and response.status == 404
        await live.shot("other-project-404")

        await page.goto(live.base_url + "/dashboard/p/alpha/settings")
        await page.fill("#allowed_models", "fake/b")
        await page.fill("#dial", "0.8")
        await page.click("#settings-form button[type=submit]")
        await page.wait_for_selector("#notice")
        assert "Settings saved" in await page.inner_text("#notice")
        assert "allowed_models=['fake/b']" in await page.inner_text("#changes")
        # the change log says what changed: before -> after ("(config)": the config file's value)
        changed = await page.eval_on_selector_all(
            "#changes tbody tr:first-child ul.diff li",
            "ls => ls.map(l => [l.querySelector('.mono').textContent, l.querySelector('del').textContent,"
            " l.querySelector('ins').textContent])",
        )
        assert sorted(changed) == [["allowed_models", "(config)", "fake/b"], ["dial", "(config)", "0.8"]]
        await live.shot("settings")
        assert await routed_model() == "fake/b"  # the very next request, no restart

        # the form without its CSRF token is refused
        await page.evaluate("() => document.querySelector('#settings-form input[name=csrf]').remove()")
        await page.fill("#allowed_models", "*")
        await page.click("#settings-form button[type=submit]")
        await page.wait_for_selector("#error-message")
        assert "security token" in await page.inner_text("#error-message")
        await live.shot("csrf-403")
        assert await routed_model() == "fake/b"
