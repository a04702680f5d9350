"""Browser harness: Debian's Chromium driven by Playwright against the real gateway on loopback
(uvicorn, SQLite store seeded through the running app), and the audit every page passes: no
horizontal overflow at 1440x900 and 390x844, no console errors, no serious or critical axe-core
violation (axe.min.js vendored in tests/dashboard/vendor, injected by the test: no CDN), and a
screenshot in test-artifacts/dashboard/."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dashboard_harness import Keys, build_app, fake_providers, seed, settings_for

from benchroute.gateway.server import InLoopServer
from benchroute.providers.fake import FakeProvider
from benchroute.store.base import Store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""
OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll("body *")].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > doc.clientWidth + 1 && !e.closest(".scroll");
  }).slice(0, 5).map(e => e.tagName + (e.id ? "#" + e.id : "") + "." + e.className);
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide};
}"""


@dataclass
class Live:
    base_url: str
    keys: Keys
    page: Any  # playwright Page
    console_errors: list[str]
    store: Store | None = None
    providers: dict[str, FakeProvider] = field(default_factory=dict)
    audited: list[str] = field(default_factory=list)

    async def audit(self, path: str, name: str, ready: str | None = None, status: int = 200) -> None:
        """Open `path` at both viewports; check overflow, console errors and axe; screenshot.
        (A page served with an error `status` logs that one load error, which is expected.)"""
        for label, (width, height) in VIEWPORTS.items():
            await self.page.set_viewport_size({"width": width, "height": height})
            response = await self.page.goto(self.base_url + path)
            assert response is not None and response.status == status, (name, response and response.status)
            if ready:
                await self.page.wait_for_function(ready)
            await self.page.wait_for_load_state("networkidle")
            box = await self.page.evaluate(OVERFLOW)
            assert box["scroll"] <= box["client"], f"{name} at {label}: sideways scroll {box}"
            await self.page.evaluate(AXE.read_text())
            violations = await self.page.evaluate(AXE_RUN)
            assert violations == [], f"{name} at {label}: {violations}"
            await self.shot(f"{name}-{label}")
            expected = f"the server responded with a status of {status}"
            errors = [e for e in self.console_errors if status == 200 or expected not in e]
            assert errors == [], f"{name} at {label}: {errors}"
            self.console_errors.clear()
        self.audited.append(name)

    async def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    async def sign_in(self, key: str) -> None:
        await self.page.goto(self.base_url + "/dashboard/login")
        await self.page.fill("#key", key)
        await self.page.click("#login-form button[type=submit]")
        await self.page.wait_for_load_state()


@asynccontextmanager
async def live_dashboard(
    tmp: Path, more: Callable[[Store], Awaitable[Any]] | None = None
) -> AsyncIterator[Live]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.d/50-browser.sh")
    from playwright.async_api import async_playwright

    providers = fake_providers()
    app = build_app(settings_for(tmp, store_url=f"sqlite:///{tmp / 'dash.db'}"), providers=providers)
    server = InLoopServer(app)
    await server.start()
    try:
        store = app.state.gateway.store
        keys = await seed(store)
        if more is not None:
            await more(store)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                context = await browser.new_context(viewport={"width": 1366, "height": 900})
                page = await context.new_page()
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                yield Live(server.base_url, keys, page, errors, store, providers)
            finally:
                await browser.close()
    finally:
        await server.stop()
