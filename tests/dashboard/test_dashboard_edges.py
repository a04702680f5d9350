"""Edges of the dashboard through TestClient: the onboarding empty state, unknown projects, the
routing-table hook of the leaderboard, the decision search."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from client_harness import Dash, open_dash
from dashboard_harness import DECISION_ID, MODELS, build_app, seed, settings_for
from starlette.testclient import TestClient

from benchroute.catalog.model import Catalog
from benchroute.routing.static import StaticRouter
from benchroute.store.memory import MemoryStore


@pytest.fixture
def dash(tmp_path: Path) -> Iterator[Dash]:
    yield from open_dash(tmp_path)


def test_usage_of_an_empty_range_and_an_unknown_project(dash: Dash) -> None:
    dash.login(dash.keys.admin)
    page = dash.client.get("/dashboard/p/default/usage")  # configured, never used: how to start
    assert page.status_code == 200
    assert "No requests in this range" in page.text
    assert 'id="onboarding"' in page.text and "http://testserver/v1/chat/completions" in page.text
    assert "OpenAI Compatible" in page.text  # the Kilo Code example
    missing = dash.client.get("/dashboard/p/nobody/usage")
    assert missing.status_code == 404 and "There is no project" in missing.text
    assert missing.headers["content-type"].startswith("text/html")


class _RouterWithTable(StaticRouter):
    """The static router plus the routing-table interface the leaderboard page renders."""

    def routing_table(self) -> list[dict[str, str]]:
        return [{"route": "debug:hard", "dial_0": "fake/b", "dial_0.5": "fake/a", "dial_1": "fake/c"}]


def test_leaderboard_shows_the_routing_table_when_the_engine_has_one(tmp_path: Path) -> None:
    store = MemoryStore()
    keys = asyncio.run(seed(store))
    settings = settings_for(tmp_path)
    with TestClient(build_app(settings, store=store)) as client:
        dash = Dash(client, store, keys)
        dash.login(keys.alpha)
        assert 'id="routing-table"' not in client.get("/dashboard/leaderboard").text
    engine = _RouterWithTable(Catalog(MODELS), settings.tiers)
    with TestClient(build_app(settings, store=store, engine=engine)) as client:
        dash = Dash(client, store, keys)
        dash.login(keys.alpha)
        page = client.get("/dashboard/leaderboard").text
        row = re.search(r'<table id="routing-table">.*?<tbody>(.*?)</tbody>', page, re.S)
        assert row is not None
        cells = re.findall(r"<td>(.*?)</td>", row.group(1))
        assert cells == ["debug:hard", "fake/b", "fake/a", "fake/c"]


def test_decision_search_matches_ids_only_for_long_words(dash: Dash) -> None:
    dash.login(dash.keys.alpha)
    assert (
        "0 decisions matching" in dash.client.get("/dashboard/p/alpha/decisions?q=0001").text
    )  # only in an id
    page = dash.client.get(f"/dashboard/p/alpha/decisions?q={DECISION_ID[:10]}").text
    assert "1 decision matching" in page and DECISION_ID in page
    assert "3 decisions matching" in dash.client.get("/dashboard/p/alpha/decisions?q=sess-3").text
