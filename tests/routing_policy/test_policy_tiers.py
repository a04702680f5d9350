"""Tiers: Frontier by mode, Balanced per API kind, manual ids, client minimum versions."""

from __future__ import annotations

import pytest
from policy_example import PROBS, catalog, request, snapshot

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.base import RouteContext
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.routing.static import ModelNotAllowed, ModelNotFound
from benchroute.routing.tiers import Defaults, balanced_order, evidence_defaults, frontier_role
from benchroute.routing.versions import is_outdated, parse_version
from benchroute.settings import ProjectSettings, TierSettings

TIERS = TierSettings(
    balanced={"chat": "x/mid", "messages": "x/small", "responses": "x/upper"},
    frontier={"reasoning": "x/big", "implementation": "x/upper"},
)


def make(classifier: FakeClassifier | None = None, tiers: TierSettings = TIERS) -> Router:
    return Router(catalog(), snapshot(), classifier or FakeClassifier.fixed(PROBS, 0.9), tiers)


@pytest.mark.parametrize(
    ("mode", "model", "reason"),
    [
        ("plan", "x/big", "frontier_reasoning"),
        ("architect", "x/big", "frontier_reasoning"),
        ("debug", "x/big", "frontier_reasoning"),
        ("orchestrator", "x/big", "frontier_reasoning"),
        ("ask", "x/big", "frontier_reasoning"),
        ("code", "x/upper", "frontier_implementation"),
        ("build", "x/upper", "frontier_implementation"),
        ("explore", "x/upper", "frontier_implementation"),
    ],
)
def test_frontier_by_mode(mode: str, model: str, reason: str) -> None:
    clf = FakeClassifier.fixed(PROBS, 0.9)
    d = make(clf).route(request("kilo-auto/frontier", mode=mode), ProjectSettings(), RouteContext())
    assert (d.model, d.reason, d.tier) == (model, reason, "auto/frontier")
    assert clf.calls == 0  # the mode decides: no classifier call
    assert d.frontier_model == model


def test_frontier_without_mode_uses_the_task_type() -> None:
    plan = make(FakeClassifier.fixed({"plan:hard": 0.8, "implement:hard": 0.2}))
    d = plan.route(request("auto/frontier"), ProjectSettings(), RouteContext())
    assert (d.model, d.reason) == ("x/big", "frontier_reasoning")
    code = make(FakeClassifier.fixed({"implement:hard": 1.0}))
    d = code.route(request("auto/frontier"), ProjectSettings(), RouteContext())
    assert (d.model, d.reason) == ("x/upper", "frontier_implementation")
    assert frontier_role(None, None) == "implementation"


def test_frontier_skips_a_disallowed_or_cooling_model() -> None:
    d = make().route(
        request("auto/frontier", mode="plan"), ProjectSettings(allowed_models=["x/upper"]), RouteContext()
    )
    assert d.model == "x/upper"
    d = make().route(
        request("auto/frontier", mode="plan"),
        ProjectSettings(),
        RouteContext(unavailable=frozenset({"x/big"})),
    )
    assert d.model == "x/upper"
    assert d.fallbacks and "x/big" not in d.fallbacks  # the cooling model is tried last of all


@pytest.mark.parametrize(
    ("api_kind", "model"), [("chat", "x/mid"), ("messages", "x/small"), ("responses", "x/upper")]
)
def test_balanced_per_api_kind(api_kind: str, model: str) -> None:
    for alias in ("auto/balanced", "kilo-auto/balanced", "kilo/auto"):
        d = make().route(request(alias, api_kind=api_kind), ProjectSettings(), RouteContext())
        assert (d.model, d.reason, d.tier) == (model, "balanced", "auto/balanced")


def test_balanced_evidence_defaults_fill_missing_kinds() -> None:
    defaults = Defaults(balanced={"messages": ("c/d", "e/f")})
    order = balanced_order("messages", TierSettings(balanced={"chat": "a/b"}), defaults)
    assert order == ["c/d", "e/f", "a/b"]


def test_defaults_come_from_the_evidence() -> None:
    # Balanced: measured on most routes, at least the median accuracy, cheapest -> x/small
    # (x/tiny is under the median); Frontier: the most accurate -> x/big.
    d = evidence_defaults(make().table)
    assert d.balanced["chat"][0] == "x/small"
    assert d.frontier["implementation"][0] == "x/big"
    r = Router(catalog(), snapshot(), FakeClassifier.fixed(PROBS, 0.9), TierSettings())
    assert r.route(request("auto/balanced"), ProjectSettings(), RouteContext()).model == "x/small"
    assert r.route(request("auto/frontier", mode="code"), ProjectSettings(), RouteContext()).model == "x/big"


def test_balanced_falls_back_when_not_allowed() -> None:
    d = make().route(request("auto/balanced"), ProjectSettings(allowed_models=["x/upper"]), RouteContext())
    assert d.model == "x/upper"


def test_auto_means_the_project_default_tier() -> None:
    d = make().route(request("auto"), ProjectSettings(tier="auto/balanced"), RouteContext())
    assert d.tier == "auto/balanced"
    d = make().route(request("auto"), ProjectSettings(dial=0.5), RouteContext())
    assert (d.tier, d.model) == ("auto/efficient", "x/upper")
    d = make().route(request("kilo-auto/efficient"), ProjectSettings(dial=0.5), RouteContext())
    assert (d.tier, d.model) == ("auto/efficient", "x/upper")


def test_manual_ids_pass_through_but_respect_allowed_models() -> None:
    d = make().route(request("x/tiny"), ProjectSettings(), RouteContext())
    assert (d.model, d.reason, d.tier) == ("x/tiny", "manual", "manual")
    with pytest.raises(ModelNotAllowed):
        make().route(request("x/tiny"), ProjectSettings(allowed_models=["x/m*"]), RouteContext())
    with pytest.raises(ModelNotFound):
        make().route(request("nope/model"), ProjectSettings(), RouteContext())


@pytest.mark.parametrize(
    ("name", "version", "outdated"),
    [
        ("kilo-cli", "1.0.14", True),
        ("kilo-cli", "1.0.15", False),
        ("kilo-cli", "1.1", False),
        ("Kilo-Code", "5.2.2", True),
        ("kilo-code", "5.2.3", False),
        ("kilo-code", "5.10.0", False),
        ("kilo-code", "v4.99.1-beta", True),
        ("kilo-code", None, False),
        ("openai-python", "0.1.0", False),
    ],
)
def test_client_minimum_versions(name: str, version: str | None, outdated: bool) -> None:
    mins = TierSettings().min_client_versions
    assert is_outdated(name, version, mins) is outdated
    ctx = {"client_name": name} | ({"client_version": version} if version else {})
    for tier in ("auto/efficient", "auto/frontier"):
        d = make().route(request(tier, **ctx), ProjectSettings(dial=1), RouteContext())
        assert (d.reason == "client_version") is outdated
        if outdated:
            assert d.model == "x/mid"


def test_parse_version() -> None:
    assert parse_version("v1.2.3-rc1") == (1, 2, 3)
    assert parse_version("garbage") is None


def test_context_window_makes_a_model_ineligible() -> None:
    small_ctx = Catalog(
        [*(m for m in catalog() if m.id != "x/upper"), ModelInfo("x/upper", "x", "upper", context=1500)]
    )
    r = Router(small_ctx, snapshot(), FakeClassifier.fixed(PROBS, 0.9), TIERS)
    d = r.route(request(), ProjectSettings(dial=0.5), RouteContext())
    assert d.model == "x/big"
    assert {c.model: c.note for c in d.candidates}["x/upper"] == "capability"
