"""Every dashboard page in Chromium at 1440x900 and 390x844 (overflow, console errors, axe-core,
screenshots), and the issue-20 behaviours: the request log, the Errors tile, the charts, the session
timeline, the leaderboard's sorting, the key hand-over and the 404 pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_harness import live_dashboard
from dashboard_harness import DECISION_ID
from history_seed import FAIL_TEXT, TIMELINE_SESSION, seed_history

from benchroute.store.base import Store, UsageRecord

pytestmark = pytest.mark.slow

TEAM = "team"
CHART_READY = "() => window.Chart && Chart.getChart('chart-cost') && Chart.getChart('chart-latency')"


class History:
    def __init__(self) -> None:
        self.records: list[UsageRecord] = []


def _with_history(tmp: Path) -> tuple[Any, History]:
    """The live dashboard with `seed_history` written into project "team"."""
    history = History()

    async def more(store: Store) -> None:
        history.records = await seed_history(store, TEAM)

    return live_dashboard(tmp, more), history


async def test_every_page_at_both_sizes_without_overflow_errors_or_axe_violations(tmp_path: Path) -> None:
    ctx, _ = _with_history(tmp_path)
    async with ctx as live:
        await live.audit("/dashboard/login", "login")
        await live.sign_in(live.keys.admin)
        pages = [
            ("/dashboard/", "projects", None),
            (f"/dashboard/p/{TEAM}/usage", "usage", CHART_READY),
            (f"/dashboard/p/{TEAM}/usage?range=24h", "usage-24h", CHART_READY),
            ("/dashboard/p/default/usage", "usage-onboarding", None),
            (f"/dashboard/p/{TEAM}/requests", "requests", None),
            (f"/dashboard/p/{TEAM}/requests?status=error", "requests-errors", None),
            (f"/dashboard/p/{TEAM}/sessions/{TIMELINE_SESSION}", "session", None),
            (f"/dashboard/p/{TEAM}/decisions", "decisions", None),
            (
                f"/dashboard/p/alpha/decisions/{DECISION_ID}",
                "decision",
                "() => Chart.getChart('chart-cells')",
            ),
            ("/dashboard/leaderboard", "leaderboard", None),
            ("/dashboard/p/alpha/settings", "settings", None),
        ]
        for path, name, ready in pages:
            await live.audit(path, name, ready)
        await live.audit("/dashboard/no/such/page", "not-found", status=404)
        assert len(live.audited) == len(pages) + 2


async def test_request_log_errors_tile_filters_pagination_and_links(tmp_path: Path) -> None:
    ctx, history = _with_history(tmp_path)
    async with ctx as live:
        page = live.page
        await live.sign_in(live.keys.admin)
        await page.goto(live.base_url + f"/dashboard/p/{TEAM}/usage")
        failed = [r for r in history.records if r.status >= 400]
        tokens_in = sum(r.prompt_tokens for r in history.records)
        assert f"{tokens_in:,} tokens in" in await page.inner_text(".tiles")  # thousands separators
        assert await page.inner_text("#total-requests") == f"{len(history.records):,}"
        assert await page.inner_text("#errors-tile .value") == f"{len(failed):,}"
        await page.click("#errors-tile")
        await page.wait_for_load_state()
        assert "status=error" in page.url
        assert f"{len(failed):,} requests" in await page.inner_text("#log-count")
        statuses = await page.eval_on_selector_all(
            "#requests tbody tr", "rs => rs.map(r => +r.dataset.status)"
        )
        assert statuses and all(s >= 400 for s in statuses)
        text = await page.inner_text("#requests")
        assert FAIL_TEXT in text and "Incorrect API key provided" in text and "(not routed)" in text

        # every request, 50 a page, newest first; the filters stay in the URL across pages
        await page.goto(live.base_url + f"/dashboard/p/{TEAM}/requests?mode=plan")
        plan = [r for r in history.records if r.mode == "plan"]
        assert f"{len(plan):,} request" in await page.inner_text("#log-count")
        await page.goto(live.base_url + f"/dashboard/p/{TEAM}/requests")
        assert f"{len(history.records):,} requests" in await page.inner_text("#log-count")
        assert await page.locator("#requests tbody tr").count() == 50
        await page.click("#next-page")
        await page.wait_for_load_state()
        assert "page=2" in page.url and "showing 51–100" in await page.inner_text("#log-count")
        await page.select_option("#filter-status", "5xx")
        await page.select_option("#filter-client", "kilo-code")
        await page.click("#log-filters button[type=submit]")
        await page.wait_for_load_state()
        assert "status=5xx" in page.url and "client=kilo-code" in page.url
        expected = [r for r in history.records if r.status >= 500 and r.client_name == "kilo-code"]
        assert f"{len(expected):,} request" in await page.inner_text("#log-count")
        # a row links to its decision, which shows the request's status and error text
        await page.click("#requests tbody tr:first-child td:first-child a")
        await page.wait_for_load_state()
        assert "/decisions/" in page.url
        assert "status 502" in await page.inner_text("#request-status")
        assert FAIL_TEXT in await page.inner_text("#request-error")
        assert live.console_errors == []


async def test_charts_top_models_continuous_axis_hours_and_latency(tmp_path: Path) -> None:
    ctx, _ = _with_history(tmp_path)
    async with ctx as live:
        page = live.page
        await live.sign_in(live.keys.admin)
        for width in (1440, 390):
            await page.set_viewport_size({"width": width, "height": 900})
            await page.goto(live.base_url + f"/dashboard/p/{TEAM}/usage?range=30d")
            await page.wait_for_function(CHART_READY)
            drawn = await page.evaluate(
                """() => { const c = Chart.getChart('chart-cost');
                   return {labels: c.data.labels, names: c.data.datasets.map(d => d.label),
                           colours: c.data.datasets.map(d => d.backgroundColor), plot: c.chartArea.height,
                           canvas: c.height, legend: c.options.plugins.legend.display,
                           html: [...c.canvas.closest('figure').querySelectorAll('.legend li')]
                                   .map(l => l.textContent)}; }"""
            )
            assert len(drawn["labels"]) == 31  # every day, the three empty ones included
            assert drawn["names"][-1] == "other" and len(drawn["names"]) == 7
            assert len(set(drawn["colours"])) == 7  # distinct colours
            assert drawn["legend"] is False and drawn["html"] == drawn["names"]  # the legend is HTML
            assert drawn["plot"] > 0.6 * drawn["canvas"]  # nothing eats the plot
            empty = await page.evaluate(
                """() => { const c = Chart.getChart('chart-requests');
                   return c.data.labels.map(
                     (_, i) => c.data.datasets.reduce((s, d) => s + d.data[i], 0)); }"""
            )
            assert sum(1 for n in empty if n == 0) >= 3
            latency = await page.evaluate(
                "() => Chart.getChart('chart-latency').data.datasets.map(d => d.label)"
            )
            assert latency == ["p50 latency", "p95 latency", "p50 time to first token"]
        await page.goto(live.base_url + f"/dashboard/p/{TEAM}/usage?range=24h")
        await page.wait_for_function(CHART_READY)
        hours = await page.evaluate("() => Chart.getChart('chart-requests').data.labels")
        assert len(hours) == 24 and all(len(h) == 13 and h[10] == "T" for h in hours)
        saved = await page.evaluate("() => Chart.getChart('chart-saved').data.datasets[0].data")
        assert len(saved) == 24
        assert live.console_errors == []


async def test_session_timeline_marks_actions_policy_pick_and_running_cost(tmp_path: Path) -> None:
    ctx, history = _with_history(tmp_path)
    async with ctx as live:
        page = live.page
        await live.sign_in(live.keys.admin)
        await page.goto(live.base_url + f"/dashboard/p/{TEAM}/requests?session={TIMELINE_SESSION}")
        await page.click(f"#requests tbody tr:first-child a[href$='{TIMELINE_SESSION}']")
        await page.wait_for_load_state()
        actions = await page.eval_on_selector_all("#timeline li", "ls => ls.map(l => l.dataset.action)")
        assert actions == ["new", "stay", "tool loop", "escalate", "stay", "downshift", "failover"]
        assert "policy alone: fake/a" in await page.inner_text("#timeline li:nth-child(5)")
        assert await page.inner_text("#switches") == "3"  # b -> c, c -> a, a -> b
        turns = [r for r in history.records if r.session_key == TIMELINE_SESSION]
        total = sum(r.cost_usd for r in turns)
        assert f"running ${total:,.4f}" in await page.inner_text("#timeline li:last-child")


async def test_leaderboard_sorts_descending_first_blanks_last_by_keyboard(tmp_path: Path) -> None:
    async with live_dashboard(tmp_path) as live:
        page = live.page
        await live.sign_in(live.keys.alpha)
        await page.goto(live.base_url + "/dashboard/leaderboard?project=alpha")
        # the nav is the same as on the project pages
        nav = await page.eval_on_selector_all(
            "nav[aria-label=Dashboard] a", "as => as.map(a => a.textContent)"
        )
        assert nav == ["Usage", "Requests", "Decisions", "Settings", "Leaderboard"]
        column = await page.evaluate(
            """() => { const ths = [...document.querySelectorAll('#leaderboard thead th')];
               const rows = [...document.querySelectorAll('#leaderboard tbody tr')];
               return ths.findIndex((th, i) => i > 1 && rows.some(r => r.cells[i].dataset.v === '')); }"""
        )
        assert column > 1  # a cell column with blanks
        button = page.locator(f"#leaderboard thead th:nth-child({column + 1}) button")
        await button.focus()
        await page.keyboard.press("Enter")
        th = page.locator(f"#leaderboard thead th:nth-child({column + 1})")
        assert await th.get_attribute("aria-sort") == "descending"
        values = await page.eval_on_selector_all(
            f"#leaderboard tbody tr td:nth-child({column + 1})", "tds => tds.map(t => t.dataset.v)"
        )
        filled = [float(v) for v in values if v != ""]
        assert filled == sorted(filled, reverse=True) and values[len(filled) :] == [""] * (
            len(values) - len(filled)
        )
        await page.keyboard.press("Space")
        assert await th.get_attribute("aria-sort") == "ascending"
        values = await page.eval_on_selector_all(
            f"#leaderboard tbody tr td:nth-child({column + 1})", "tds => tds.map(t => t.dataset.v)"
        )
        assert values[-1] == ""  # blanks stay last
        # the heatmap: each cell's colour step is its accuracy estimate in tenths
        steps = await page.eval_on_selector_all(
            "#leaderboard td.cell",
            "tds => tds.map(t => [+t.dataset.v, +/heat-(\\d)/.exec(t.className)[1]])",
        )
        assert steps and all(step == min(9, int(v * 10)) for v, step in steps)
        # Overall says how many cells it covers
        assert " of " in await page.inner_text("#leaderboard tbody tr:first-child td:nth-child(2)")
        # the header row stays in view when the table scrolls
        await page.evaluate("() => document.querySelector('.sticky-head').scrollTop = 600")
        gap = await page.evaluate(
            """() => document.querySelector('#leaderboard thead th').getBoundingClientRect().top -
                     document.querySelector('.sticky-head').getBoundingClientRect().top"""
        )
        assert abs(gap) <= 1
        await page.fill("#leaderboard-filter", "no-such-model-zzz")
        assert await page.is_visible("#leaderboard-empty")
        assert live.console_errors == []


async def test_create_key_once_revoke_after_confirmation_and_404s(tmp_path: Path) -> None:
    async with live_dashboard(tmp_path) as live:
        page = live.page
        await live.sign_in(live.keys.alpha)
        await page.goto(live.base_url + "/dashboard/p/alpha/settings")
        before = await page.locator("#gateway-keys tbody tr").count()
        await page.fill("#create-key-form input[name=name]", "ci runner")
        await page.click("#create-key-form button[type=submit]")
        await page.wait_for_selector("#new-key")
        assert "created=" in page.url and "br-" not in page.url
        secret = await page.inner_text("#new-key")
        assert secret.startswith("br-")
        await page.reload()  # post/redirect/get: no second key, and the key is not shown again
        assert await page.locator("#new-key").count() == 0
        assert "shown once already" in await page.inner_text("#notice")
        assert await page.locator("#gateway-keys tbody tr").count() == before + 1
        # revoking takes a second, explicit click
        row = page.locator("#gateway-keys tbody tr", has_text="ci runner")
        assert not await row.locator("button.danger").is_visible()
        await row.locator("summary").click()
        await row.locator("button.danger").click()
        await page.wait_for_selector("#notice")
        assert "Key revoked" in await page.inner_text("#notice")
        assert "revoked" in await page.locator("#gateway-keys tbody tr", has_text="ci runner").inner_text()
        # unknown dashboard URLs are HTML pages with the nav, not the API's JSON
        response = await page.goto(live.base_url + "/dashboard/p/alpha/nothing-here")
        assert response is not None and response.status == 404
        assert "text/html" in response.headers["content-type"]
        assert await page.locator("nav[aria-label=Dashboard] a").count() == 5
        await page.click(".signout button")
        await page.wait_for_load_state()
        await live.sign_in(live.keys.admin)
        response = await page.goto(live.base_url + "/dashboard/p/no-such-project/usage")
        assert response is not None and response.status == 404
        assert "There is no project" in await page.inner_text("#error-message")
