"""The dashboard through Starlette's TestClient: a signed-in client over the seeded MemoryStore."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from dashboard_harness import Keys, build_app, seed, settings_for
from starlette.testclient import TestClient

from benchroute.store.memory import MemoryStore


@dataclass
class Dash:
    client: TestClient
    store: MemoryStore
    keys: Keys

    def csrf(self, path: str = "/dashboard/login") -> str:
        page = self.client.get(path)
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, page.text
        return match.group(1)

    def login(self, key: str) -> str:
        r = self.client.post("/dashboard/login", data={"key": key, "csrf": self.csrf()})
        assert r.status_code == 200, r.text
        return self.csrf(str(r.url.path))

    def chat(self, key: str, model: str = "auto") -> str:
        r = self.client.post(
            "/v1/chat/completions",
            json={"model": model, "messages": [{"role": "user", "content": "hi"}]},
            headers={"authorization": f"Bearer {key}"},
        )
        assert r.status_code == 200, r.text
        return str(r.headers["x-benchroute-model"])


def open_dash(tmp_path: Path) -> Iterator[Dash]:
    store = MemoryStore()
    keys = asyncio.run(seed(store))
    app = build_app(settings_for(tmp_path), store=store)
    with TestClient(app) as client:
        yield Dash(client, store, keys)


def chart_data(html: str, element_id: str) -> dict[str, object]:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, html
    data: dict[str, object] = orjson.loads(match.group(1))
    return data
