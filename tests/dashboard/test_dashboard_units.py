"""The dashboard's pure pieces: the session cookie codec, settings overrides, the usage view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.dashboard.login import SessionCodec, new_session
from benchroute.dashboard.projects import InvalidSettings, validate_overrides
from benchroute.dashboard.usage import (
    NOT_ROUTED,
    OTHER,
    Filters,
    bucket_labels,
    build_view,
    percentile,
    since_for,
)
from benchroute.gateway.projects import ProjectSettingsSource
from benchroute.savings import FrontierPricer, tally, total
from benchroute.settings import ProjectSettings, Settings, TierSettings
from benchroute.store.base import UsageSummaryRow
from benchroute.store.memory import MemoryStore

# ---- session cookie ------------------------------------------------------------------------------


def test_session_round_trip_and_tampering() -> None:
    codec = SessionCodec("secret-one")
    session = new_session(key_id="abc123", project="alpha")
    value = codec.encode(session)
    assert codec.decode(value) == session
    body, sig = value.split(".")
    assert codec.decode(body + "." + sig[:-2] + ("AA" if not sig.endswith("AA") else "BB")) is None
    forged_body = body[:-2] + ("xy" if not body.endswith("xy") else "zz")
    assert codec.decode(forged_body + "." + sig) is None
    assert SessionCodec("secret-two").decode(value) is None  # another server secret
    assert codec.decode("") is None and codec.decode("garbage") is None and codec.decode("a.b.c") is None
    assert "secret-one" not in repr(codec)


def test_session_expires() -> None:
    now = [1000.0]
    codec = SessionCodec("s", max_age=60, clock=lambda: now[0])
    value = codec.encode(new_session(key_id="k", project="p", now=1000.0))
    assert codec.decode(value) is not None
    now[0] = 1061.0
    assert codec.decode(value) is None


def test_anonymous_session_and_access() -> None:
    codec = SessionCodec("s")
    anon = codec.decode(codec.encode(new_session()))
    assert anon is not None and not anon.signed_in and not anon.can_see("alpha")
    user = new_session(key_id="k", project="alpha")
    assert user.can_see("alpha") and not user.can_see("beta")
    admin = new_session(key_id="k", project="*", admin=True)
    assert admin.can_see("beta")
    assert user.csrf_ok(user.csrf) and not user.csrf_ok("") and not user.csrf_ok(None)
    assert not user.csrf_ok(new_session().csrf)


# ---- settings overrides --------------------------------------------------------------------------


def test_validate_overrides() -> None:
    base = ProjectSettings()
    ids = ["openai/gpt-x", "local/small"]
    merged = validate_overrides(base, {"dial": 0.9, "allowed_models": ["local/*"]}, catalog_ids=ids)
    assert merged.dial == 0.9 and merged.allowed_models == ["local/*"] and merged.tier == base.tier
    with pytest.raises(InvalidSettings) as exc:
        validate_overrides(base, {"dial": 2, "min_confidence": -1}, catalog_ids=ids)
    assert set(exc.value.errors) == {"dial", "min_confidence"}
    with pytest.raises(InvalidSettings) as exc:
        validate_overrides(base, {"tier": "auto/nope"}, catalog_ids=ids)
    assert "tier" in exc.value.errors
    with pytest.raises(InvalidSettings) as exc:
        validate_overrides(base, {"allowed_models": ["anthropic/*"]}, catalog_ids=ids)
    assert exc.value.errors == {"allowed_models": "matches no model in the catalog"}
    with pytest.raises(InvalidSettings) as exc:
        validate_overrides(base, {"allowed_models": []}, catalog_ids=ids)
    assert "allowed_models" in exc.value.errors
    with pytest.raises(InvalidSettings) as exc:
        validate_overrides(base, {"daily_budget_usd": 1.0}, catalog_ids=ids)
    assert "daily_budget_usd" in exc.value.errors


async def test_project_settings_source_merges_caches_and_invalidates() -> None:
    settings = Settings(projects={"alpha": ProjectSettings(dial=0.2, min_confidence=0.7)})
    store = MemoryStore()
    now = [0.0]
    source = ProjectSettingsSource(settings, store, ttl=2.0, clock=lambda: now[0])
    assert (await source.get("alpha")).dial == 0.2
    await store.set_project_settings("alpha", {"dial": 0.9}, actor="test")
    assert (await source.get("alpha")).dial == 0.2  # cached
    now[0] = 2.5
    got = await source.get("alpha")
    assert got.dial == 0.9 and got.min_confidence == 0.7  # override over the config, the rest kept
    await store.set_project_settings("alpha", {"dial": 0.1}, actor="test")
    source.invalidate()
    assert (await source.get("alpha")).dial == 0.1
    # an unknown project gets the default project's settings, with its own overrides
    await store.set_project_settings("newco", {"tier": "auto/frontier"}, actor="test")
    assert (await source.get("newco")).tier == "auto/frontier"
    # overrides that became invalid are ignored rather than failing requests
    await store.set_project_settings("alpha", {"dial": 7}, actor="test")
    source.invalidate()
    assert (await source.get("alpha")).dial == 0.2


# ---- usage view and savings -----------------------------------------------------------------------

CATALOG = Catalog(
    [
        ModelInfo(id="m/a", provider="p", upstream_id="a", input_price=1.0, output_price=2.0),
        ModelInfo(id="m/b", provider="p", upstream_id="b", input_price=0.5, output_price=1.0),
        ModelInfo(id="m/big", provider="p", upstream_id="big", input_price=10.0, output_price=20.0),
        ModelInfo(id="m/think", provider="p", upstream_id="t", input_price=4.0, output_price=8.0),
    ]
)
PRICER = FrontierPricer(CATALOG, TierSettings(frontier={"implementation": "m/big", "reasoning": "m/think"}))


def _row(
    day: str,
    model: str,
    tier: str,
    client: str | None,
    cost: float,
    *,
    mode: str | None = None,
    status: int = 200,
    prompt: int = 1000,
    completion: int = 100,
) -> UsageSummaryRow:
    return UsageSummaryRow(
        group={"day": day, "model": model, "tier": tier, "client": client, "mode": mode, "status": status},
        requests=1,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=cost,
        extra={"cached_tokens": 0},
    )


def test_savings_price_tokens_at_the_frontier_model_of_the_mode_and_leave_out_failures() -> None:
    rows = [
        _row("d", "m/a", "auto/efficient", None, 0.0012),  # no mode: m/big, 0.012
        _row("d", "m/a", "auto/efficient", None, 0.0012, mode="plan"),  # reasoning: m/think, 0.0048
        _row("d", "m/big", "auto/frontier", None, 0.012, mode="code"),  # the Frontier model: saves 0
        _row("d", "m/b", "manual", None, 0.0006),  # left out: the client named the model
        _row("d", "m/a", "auto/efficient", None, 0.0, status=502, prompt=0, completion=0),  # failed
        _row("d", "", "", None, 0.0, status=404, prompt=0, completion=0),  # rejected before routing
    ]
    t = total(tally(rows, PRICER, []).values())
    assert (t.requests, t.compared, t.manual, t.errors) == (6, 3, 1, 2)
    assert t.compared_cost_usd == pytest.approx(0.0012 + 0.0012 + 0.012)
    assert t.frontier_cost_usd == pytest.approx(0.012 + 0.0048 + 0.012)
    assert t.saved_usd == pytest.approx(0.0108 + 0.0036 + 0.0)
    assert t.saved_share == pytest.approx(0.0144 / 0.0288)
    assert t.cost_usd == pytest.approx(0.0144 + 0.0006)
    frontier_only = total(tally([rows[2]], PRICER, []).values())
    assert frontier_only.saved_usd == pytest.approx(0.0) and frontier_only.saved_share == pytest.approx(0.0)
    unknown = FrontierPricer(CATALOG, TierSettings(frontier={"implementation": "gone/model"}))
    assert total(tally(rows[:1], unknown, []).values()).unpriced == 1


def test_build_view_buckets_top_models_other_and_filters() -> None:
    labels = ["2026-01-01", "2026-01-02", "2026-01-03"]
    by_day = [_row("2026-01-01", f"m/{i}", "auto/efficient", "kilo-code", 1.0 + i) for i in range(8)]
    by_day += [
        _row("2026-01-03", "m/a", "auto/efficient", None, 2.0, mode="code"),
        _row("2026-01-03", "", "", None, 0.0, status=401, prompt=0, completion=0),
    ]
    view = build_view(by_day, [], Filters(), PRICER, labels)
    assert view.labels == labels  # the empty day stays on the axis
    series = view.chart_data()["cost"]
    assert [s["model"] for s in series] == ["m/7", "m/6", "m/5", "m/4", "m/3", "m/2", OTHER]
    other = series[-1]["data"]
    assert other == pytest.approx([2.0 + 1.0, 0.0, 2.0])  # m/1 and m/0; then m/a; "(not routed)" costs 0
    assert NOT_ROUTED in view.models and view.total.errors == 1
    assert view.modes == ["(none)", "code"]
    only = build_view(by_day, [], Filters(mode="code"), PRICER, labels)
    assert only.models == ["m/a"] and only.total.cost_usd == 2.0
    cumulative = view.chart_data()["saved_cumulative"]
    assert len(cumulative) == 3 and cumulative[1] == cumulative[0]  # flat across the empty day


def test_bucket_labels_hours_and_days() -> None:
    now = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    hours = bucket_labels("24h", now, None)
    assert len(hours) == 24 and hours[0] == "2026-03-09T16" and hours[-1] == "2026-03-10T15"
    days = bucket_labels("7d", now, None)
    assert days[0] == "2026-03-03" and days[-1] == "2026-03-10" and len(days) == 8
    assert bucket_labels("all", now, "2026-03-08") == ["2026-03-08", "2026-03-09", "2026-03-10"]


def test_percentile_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0 and percentile(values, 0.5) == 50.0


def test_since_for_ranges() -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    assert since_for("7d", now) == datetime(2026, 3, 3, tzinfo=UTC)
    assert since_for("all", now) is None
    assert since_for("bogus", now) == datetime(2026, 2, 8, tzinfo=UTC)  # the default, 30 days
