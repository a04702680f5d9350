"""Dashboard test harness: the real gateway app (with the dashboard mounted) over a seeded store.

The seed is a small, fully known data set: usage rows over three days for two projects, routing
decisions (one with the whole explanation), gateway keys. Tests compute what the pages must show
from `SEED_USAGE` independently of the dashboard's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from benchroute.app import create_app
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.providers.fake import FakeProvider
from benchroute.routing.base import RoutingEngine
from benchroute.routing.decision import Candidate, Decision
from benchroute.routing.static import StaticRouter
from benchroute.settings import ProjectSettings, Settings
from benchroute.store.base import DecisionRecord, Store, UsageRecord

MODELS = [
    ModelInfo(id="fake/a", provider="fa", upstream_id="a-up", input_price=1.0, output_price=2.0),
    ModelInfo(id="fake/b", provider="fb", upstream_id="b-up", input_price=0.5, output_price=1.0),
    ModelInfo(id="fake/c", provider="fc", upstream_id="c-up", input_price=5.0, output_price=10.0),
]

NOW = datetime.now(UTC).replace(microsecond=0)
# Seeded rows sit at the middle of today so far: today's are in the past (inside "the last 24h"),
# yesterday's are more than 24 h ago, and neither is near midnight, whatever the hour the tests run.
_MIDNIGHT = NOW.replace(hour=0, minute=0, second=0)
SEED_TIME = _MIDNIGHT + (NOW - _MIDNIGHT) / 2
DAYS = [(SEED_TIME - timedelta(days=n)).date().isoformat() for n in (2, 1, 0)]


@dataclass(frozen=True)
class SeedRow:
    days_ago: int
    project: str
    model: str
    tier: str
    client: str | None
    session: str
    cost: float
    frontier: float | None


# (days ago, project, model, tier, client, session, cost, frontier cost)
SEED_USAGE: list[SeedRow] = [
    SeedRow(2, "alpha", "fake/a", "auto/efficient", "kilo-code", "sess-1", 0.010, 0.050),
    SeedRow(2, "alpha", "fake/b", "auto/efficient", "kilo-code", "sess-1", 0.002, 0.040),
    SeedRow(1, "alpha", "fake/a", "auto/efficient", "openai-python", "sess-2", 0.020, 0.060),
    SeedRow(1, "alpha", "fake/c", "manual", "openai-python", "sess-2", 0.300, None),
    SeedRow(0, "alpha", "fake/b", "auto/efficient", "kilo-code", "sess-3", 0.004, 0.030),
    SeedRow(0, "alpha", "fake/b", "auto/efficient", "kilo-code", "sess-3", 0.006, 0.030),
    SeedRow(0, "beta", "fake/c", "manual", "kilo-code", "sess-9", 1.000, None),
]

DECISION_ID = "d" * 8 + "explained0001"
EXPLAINED = Decision(
    model="fake/b",
    tier="auto/efficient",
    reason="cheapest_above_bar",
    requested_model="auto",
    id=DECISION_ID,
    cells={"debug:medium": 0.62, "edit:easy": 0.25, "implement:medium": 0.13},
    confidence=0.81,
    candidates=(
        Candidate("fake/c", 0.91, 0.0120),
        Candidate("fake/a", 0.78, 0.0031),
        Candidate("fake/b", 0.74, 0.0009),
        Candidate("fake/x", None, None, eligible=False, note="not_allowed"),
    ),
    bar=0.72,
    dial=0.5,
    session_key="sess-3",
    session_action="new",
    session_note="first request of the session",
    frontier_model="fake/c",
    frontier_cost=0.0120,
    expected_cost=0.0009,
    fallbacks=("fake/a",),
    explanation="fake/b is the cheapest model whose expected accuracy 0.740 clears the bar 0.720.",
)


def settings_for(tmp: Path, *, store_url: str = "memory://", **server: Any) -> Settings:
    return Settings(
        data_dir=tmp,
        server={"discover_local": False, "secret": "dashboard-test-secret", **server},
        store={"url": store_url},
        tiers={
            "default": "fake/b",
            "balanced": {"chat": "fake/a", "messages": "fake/c"},
            "frontier": {"implementation": "fake/c", "reasoning": "fake/a"},
        },
        projects={name: ProjectSettings() for name in ("default", "alpha", "beta")},
    )


def fake_providers() -> dict[str, FakeProvider]:
    return {"fa": FakeProvider("fa"), "fb": FakeProvider("fb"), "fc": FakeProvider("fc")}


def build_app(
    settings: Settings,
    store: Store | None = None,
    engine: RoutingEngine | None = None,
    providers: dict[str, FakeProvider] | None = None,
) -> Starlette:
    """The gateway app with fakes for providers and the static router (deterministic routing)."""
    catalog = Catalog(MODELS)
    app = create_app(
        settings,
        store=store,
        providers=dict(providers or fake_providers()),
        engine=engine or StaticRouter(catalog, settings.tiers),
        catalog=catalog,
    )
    assert any(getattr(r, "name", None) == "dashboard" for r in app.routes), (
        "the gateway mounts the dashboard"
    )
    return app


@dataclass
class Keys:
    admin: str
    alpha: str
    beta: str


async def seed(store: Store) -> Keys:
    records = []
    for i, row in enumerate(SEED_USAGE):
        time = SEED_TIME - timedelta(days=row.days_ago) - timedelta(seconds=i)
        records.append(
            UsageRecord(
                id=f"seed-{i:03d}",
                time=time,
                project=row.project,
                key_id=None,
                session_key=row.session,
                client_name=row.client,
                client_version="1.0",
                api_kind="chat",
                requested_model="auto" if row.tier != "manual" else row.model,
                tier=row.tier,
                routed_model=row.model,
                provider=row.model.split("/")[0],
                prompt_tokens=1000 + i,
                completion_tokens=100 + i,
                cost_usd=row.cost,
                frontier_cost_usd=row.frontier,
                decision_id=f"seed-{i:03d}",
            )
        )
    await store.write_usage(records)
    decisions = [
        DecisionRecord(
            id=r.id,
            time=r.time,
            project=r.project,
            session_key=r.session_key,
            decision=Decision(
                model=r.routed_model,
                tier=r.tier,
                reason="manual" if r.tier == "manual" else "default",
                requested_model=r.requested_model,
                id=r.id,
                session_key=r.session_key,
                explanation=f"seeded decision {r.id}",
            ).to_dict(),
        )
        for r in records
    ]
    decisions.append(
        DecisionRecord(
            id=DECISION_ID,
            time=NOW,
            project="alpha",
            session_key="sess-3",
            decision=EXPLAINED.to_dict(),
        )
    )
    await store.write_decisions(decisions)
    _, admin = await store.create_key("*", name="admin", admin=True)
    _, alpha = await store.create_key("alpha", name="alpha laptop")
    _, beta = await store.create_key("beta", name="beta ci")
    return Keys(admin=admin, alpha=alpha, beta=beta)


def expected_series(project: str, tier: str = "", client: str = "") -> dict[str, dict[str, float]]:
    """model -> day -> cost, straight from the seed."""
    out: dict[str, dict[str, float]] = {}
    for row in SEED_USAGE:
        if row.project != project or (tier and row.tier != tier) or (client and row.client != client):
            continue
        day = DAYS[2 - row.days_ago]
        out.setdefault(row.model, {}).setdefault(day, 0.0)
        out[row.model][day] += row.cost
    return out
