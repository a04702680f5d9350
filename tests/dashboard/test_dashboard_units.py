"""The dashboard's pure pieces: the session cookie codec, settings overrides, the usage view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchroute.dashboard.login import SessionCodec, new_session
from benchroute.dashboard.projects import InvalidSettings, validate_overrides
from benchroute.dashboard.usage import Filters, build_view, since_for
from benchroute.gateway.projects import ProjectSettingsSource
from benchroute.settings import ProjectSettings, Settings
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


# ---- usage view ----------------------------------------------------------------------------------


def _row(
    day: str, model: str, tier: str, client: str | None, cost: float, frontier: float
) -> UsageSummaryRow:
    return UsageSummaryRow(
        group={"day": day, "model": model, "tier": tier, "client": client},
        requests=1,
        prompt_tokens=10,
        completion_tokens=5,
        cost_usd=cost,
        frontier_cost_usd=frontier,
        extra={"priced_cost_usd": cost if frontier else 0.0, "errors": 0},
    )


def test_build_view_series_totals_and_filters() -> None:
    by_day = [
        _row("2026-01-01", "m/a", "auto/efficient", "kilo-code", 1.0, 4.0),
        _row("2026-01-02", "m/a", "auto/efficient", None, 2.0, 5.0),
        _row("2026-01-02", "m/b", "manual", "kilo-code", 10.0, 0.0),
    ]
    view = build_view(by_day, [], Filters())
    assert view.days == ["2026-01-01", "2026-01-02"]
    assert view.models == ["m/b", "m/a"]  # by cost
    assert view.cost == {"m/a": [1.0, 2.0], "m/b": [0.0, 10.0]}
    assert view.requests == {"m/a": [1, 1], "m/b": [0, 1]}
    assert view.total.cost_usd == 13.0 and view.total.savings_usd == pytest.approx(6.0)
    assert view.total.savings_share == pytest.approx(6.0 / 9.0)
    assert view.tiers == ["auto/efficient", "manual"] and view.clients == ["(unknown)", "kilo-code"]
    only = build_view(by_day, [], Filters(tier="auto/efficient", client="(unknown)"))
    assert only.days == ["2026-01-02"] and only.models == ["m/a"] and only.total.cost_usd == 2.0


def test_since_for_ranges() -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    assert since_for("7d", now) == datetime(2026, 3, 3, tzinfo=UTC)
    assert since_for("all", now) is None
    assert since_for("bogus", now) == datetime(2026, 2, 8, tzinfo=UTC)  # the default, 30 days
