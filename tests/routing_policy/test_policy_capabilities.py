"""A tool-using request never goes to a model without tool support, in any tier; an image never
goes to a model without vision; the chosen variant's reasoning effort is pinned in the Decision."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchroute.catalog.loader import load_catalog
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.base import RouteContext
from benchroute.routing.classifier import CellPrediction
from benchroute.routing.evidence import Snapshot, load_default_snapshot, split_variant
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.policy import PolicyTable
from benchroute.routing.router import Router
from benchroute.routing.static import RouteError
from benchroute.routing.taxonomy import CODING_ROUTES, cell
from benchroute.routing.tiers import evidence_defaults
from benchroute.settings import ProjectSettings, TierSettings
from benchroute.wire.canonical import ChatRequest, ImagePart, Message, RequestContext, TextPart, Tool

TIERS = ("auto/efficient", "auto/frontier", "auto/balanced", "auto/free")


class Probe:
    """A classifier whose answer the test sets (one Router serves every example)."""

    def __init__(self) -> None:
        self.probs: dict[str, float] = {"debug:medium": 1.0}

    def classify(self, request: object) -> CellPrediction:
        return CellPrediction(dict(self.probs), 0.9)


@cache
def crippled() -> tuple[Catalog, Router, Probe]:
    catalog = crippled_catalog()
    probe = Probe()
    return catalog, Router(catalog, load_default_snapshot(), probe), probe


def crippled_catalog() -> Catalog:
    """The shipped catalog with tool support taken from the evidence defaults and half the free
    models, so that every tier has a tool-less model it would otherwise pick."""
    catalog = load_catalog()
    defaults = evidence_defaults(PolicyTable(load_default_snapshot(), catalog))
    tops = {split_variant(v[0])[0] for v in [*defaults.balanced.values(), *defaults.frontier.values()] if v}
    free = sorted(m.id for m in catalog.free_models())[::2]
    return Catalog(
        (replace(m, tools=False) if m.id in tops | set(free) else m for m in catalog), catalog.key_env
    )


def tool_request(model: str, mode: str | None) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[Message(role="user", content=[TextPart("Run the tests and fix what fails")])],
        tools=[Tool(name="run_shell", description="Run a shell command")],
        context=RequestContext(mode=mode),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(TIERS),
    st.sampled_from(CODING_ROUTES),
    st.floats(0, 1),
    st.sampled_from([None, "code", "plan", "ask", "debug"]),
    st.text("abcdef", min_size=1, max_size=8),
)
def test_a_tool_request_never_goes_to_a_model_without_tools(
    tier: str, route: str, dial: float, mode: str | None, session: str
) -> None:
    catalog, router, probe = crippled()
    probe.probs = {cell(route, "medium"): 1.0}
    try:
        d = router.route(
            tool_request(tier, mode), ProjectSettings(dial=dial), RouteContext(session_key=session)
        )
    except RouteError:
        return  # refusing is fine (no free model with tools); routing to one without is not
    for model in (d.model, *d.fallbacks):
        info = catalog.get(model)
        assert info is not None and info.tools, (tier, model)


def test_the_tool_filter_changes_the_frontier_choice() -> None:
    # (Balanced and Efficient rank only tool-capable models as defaults; the free pool is above.)
    catalog, router, probe = crippled()
    probe.probs = {"debug:medium": 1.0}
    plain = replace(tool_request("x", None), tools=[])
    for tier in ("auto/frontier",):
        without = router.route(replace(plain, model=tier), ProjectSettings(), RouteContext(session_key="s"))
        with_tools = router.route(tool_request(tier, None), ProjectSettings(), RouteContext(session_key="s"))
        assert not catalog.get(without.model).tools  # type: ignore[union-attr]
        assert catalog.get(with_tools.model).tools  # type: ignore[union-attr]


def test_an_image_goes_to_a_vision_model() -> None:
    catalog = load_catalog()
    router = Router(catalog, load_default_snapshot(), FakeClassifier.fixed({"debug:medium": 1.0}, 0.9))
    image = Message(role="user", content=[TextPart("This button is misaligned"), ImagePart(url="data:,")])
    for tier in TIERS[:3]:
        d = router.route(ChatRequest(model=tier, messages=[image]), ProjectSettings(), RouteContext())
        assert catalog.get(d.model).vision, (tier, d.model)  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["plan", "code"])
def test_the_measured_variant_is_pinned(mode: str) -> None:
    router = Router(
        load_catalog(), load_default_snapshot(), FakeClassifier.fixed({"refactor:hard": 1.0}, 0.9)
    )
    for d in (
        router.route(tool_request(t, mode), ProjectSettings(dial=1), RouteContext()) for t in TIERS[:3]
    ):
        ids = {c.model for c in d.candidates} | set(router.defaults.frontier["reasoning"])
        if d.reasoning_effort is not None:
            assert f"{d.model}@{d.reasoning_effort}" in ids


def test_an_auto_choice_sends_its_variants_effort_and_records_what_it_replaced() -> None:
    from benchroute.routing.decision import Decision, pin_effort

    req = tool_request("auto", None)
    d = Decision(
        model="openai/gpt-5.4", tier="auto/efficient", reason="best_accuracy", reasoning_effort="xhigh"
    )
    pinned, recorded = pin_effort(req, d)
    assert pinned.reasoning_effort == "xhigh" and recorded.replaced_effort is None
    # the client's own effort gives way to the variant's, and the Decision says which it was
    pinned, recorded = pin_effort(replace(req, reasoning_effort="low"), d)
    assert pinned.reasoning_effort == "xhigh" and recorded.replaced_effort == "low"
    # an Anthropic client's thinking budget too: the variant's effort renders as its own budget
    thinking = replace(req, reasoning_effort="high", thinking_budget=31999)
    pinned, recorded = pin_effort(thinking, d)
    assert (pinned.reasoning_effort, pinned.thinking_budget) == ("xhigh", None)
    assert recorded.replaced_effort == "high"
    # the same effort is no replacement: the client's budget stands
    pinned, recorded = pin_effort(thinking, replace(d, reasoning_effort="high"))
    assert pinned is thinking and recorded.replaced_effort is None
    # a session's earlier Decision does not carry a stale note into this request
    pinned, recorded = pin_effort(req, replace(d, replaced_effort="low"))
    assert recorded.replaced_effort is None
    assert pin_effort(req, replace(d, reasoning_effort=None)) == (req, replace(d, reasoning_effort=None))


def test_a_model_named_by_the_client_keeps_the_clients_effort() -> None:
    from benchroute.routing.decision import Decision, pin_effort

    manual = Decision(model="openai/gpt-5.4", tier="manual", reason="manual", reasoning_effort="xhigh")
    low = replace(tool_request("openai/gpt-5.4", None), reasoning_effort="low")
    assert pin_effort(low, manual) == (low, manual)
    # the Decision's effort only fills a gap
    pinned, _ = pin_effort(replace(low, reasoning_effort=None), manual)
    assert pinned.reasoning_effort == "xhigh"


def test_a_manual_model_without_tools_is_served_with_a_warning() -> None:
    from benchroute.routing.static import StaticRouter

    cat = Catalog(
        [ModelInfo("x/notools", "x", "notools", tools=False), ModelInfo("x/tools", "x", "tools", tools=True)]
    )
    req = ChatRequest(
        model="x/notools",
        messages=[Message(role="user", content=[TextPart("read the file")])],
        tools=[Tool(name="read_file", description="Read a file")],
    )
    router = Router(
        cat, Snapshot.from_stats([]), FakeClassifier.fixed({"implement:easy": 1.0}), TierSettings()
    )
    for engine in (router, StaticRouter(cat, TierSettings())):
        d = engine.route(req, ProjectSettings(), RouteContext())
        assert (d.model, d.reason) == ("x/notools", "manual")
        assert len(d.warnings) == 1 and "tools" in d.warnings[0] and d.warnings[0] in d.explanation
        ok = engine.route(replace(req, model="x/tools"), ProjectSettings(), RouteContext())
        assert (ok.model, ok.warnings) == ("x/tools", ())
