"""When the configured model of a tier cannot serve a request, the Decision says which, why and
what serves instead; models cooling down are named; no saving is quoted or counted against a
Frontier model that could not have served the request; every fallback has its expected cost."""

from __future__ import annotations

from dataclasses import replace

import pytest
from policy_example import PROBS, catalog, snapshot, tiers

from benchroute.catalog.loader import load_catalog
from benchroute.catalog.model import Catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.evidence import load_default_snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.routing.static import ContextTooLong
from benchroute.settings import ProjectSettings, TierSettings
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart, Tool

SHORT = {"x/big", "x/mid"}  # the Frontier and the Balanced model of the example hold 4,000 tokens


def short_catalog() -> Catalog:
    return Catalog(replace(m, context=4_000) if m.id in SHORT else m for m in catalog())


def router(probs: dict[str, float] = PROBS, settings: TierSettings | None = None) -> Router:
    return Router(short_catalog(), snapshot(), FakeClassifier.fixed(probs, 0.9), settings or tiers())


def ask(model: str, tokens: int, *, tools: bool = False, mode: str | None = None) -> ChatRequest:
    text = "x" * ((tokens - 4) * 4 - 3)  # read_needs: (chars + 3) // 4 + 4 per message
    return ChatRequest(
        model=model,
        messages=[Message(role="user", content=[TextPart(text)])],
        tools=[Tool(name="read_file", description="Read a file")] if tools else [],
        context=RequestContext(mode=mode),
    )


def route(r: Router, request: ChatRequest, unavailable: frozenset[str] = frozenset()) -> object:
    return r.route(request, ProjectSettings(), RouteContext(unavailable=unavailable))


def test_frontier_substitute_names_the_configured_model_and_its_context() -> None:
    d = router().route(ask("auto/frontier", 5_000, mode="code"), ProjectSettings(), RouteContext())
    assert d.model != "x/big"
    assert (
        "The configured Frontier implementation model, x/big, cannot serve this request: its context "
        "window (4,000 tokens) cannot hold the prompt (about 5,000 tokens) plus 1,024 kept for the "
        f"answer; {d.model} serves it instead."
    ) in d.explanation
    # the next of the Frontier ranking serves it; savings compare with the configured one, which
    # could not have served it: none is counted
    assert d.frontier_unfit == "context"
    assert (
        "No saving is counted for this request: savings compare with the configured Frontier model, "
        "x/big, which could not have served it."
    ) in d.explanation


def test_balanced_fallback_of_efficient_names_the_configured_balanced_model() -> None:
    general = {"general:easy": 0.9, "implement:easy": 0.1}
    d = router(general).route(ask("auto", 5_000), ProjectSettings(), RouteContext())
    assert d.reason == "general" and d.model != "x/mid"
    assert (
        "The configured Balanced model for chat requests, x/mid, cannot serve this request: its context "
        "window (4,000 tokens)"
    ) in d.explanation
    assert f"; {d.model} serves it instead." in d.explanation


def test_the_chosen_models_share_of_the_frontier_cost_is_not_quoted_when_frontier_cannot_serve() -> None:
    d = router().route(ask("auto", 5_000), ProjectSettings(dial=0.0), RouteContext())
    assert d.reason == "cheapest_above_bar"
    assert "of the Frontier cost" not in d.explanation and d.frontier_cost is None
    assert d.frontier_unfit == "context"
    assert (
        "No saving is counted for this request: savings compare with the configured Frontier model, "
        "x/big, which could not have served it (its context window (4,000 tokens)"
    ) in d.explanation
    fits = router().route(ask("auto", 1_000), ProjectSettings(dial=0.0), RouteContext())
    assert "of the Frontier cost" in fits.explanation and fits.frontier_unfit == ""
    assert "No saving" not in fits.explanation


def test_a_frontier_model_without_tools_is_named_as_such() -> None:
    settings = TierSettings(
        balanced={"chat": "x/small"}, frontier={"reasoning": "x/upper", "implementation": "x/upper"}
    )
    d = router(settings=settings).route(
        ask("auto/frontier", 500, tools=True, mode="code"), ProjectSettings(), RouteContext()
    )
    assert d.model != "x/upper"
    assert (
        "The configured Frontier implementation model, x/upper, cannot serve this request: it does not "
        "support tool calls, and the request has tools;"
    ) in d.explanation
    assert d.frontier_unfit == "tools"


def test_a_configured_model_in_cooldown_is_said_to_be_cooling_down() -> None:
    d = router().route(
        ask("auto/frontier", 500, mode="code"), ProjectSettings(), RouteContext(frozenset({"x/big"}))
    )
    assert d.model != "x/big"
    assert (
        "The configured Frontier implementation model, x/big, cannot serve this request: it is cooling "
        f"down after upstream failures; {d.model} serves it instead."
    ) in d.explanation
    assert d.frontier_unfit == ""  # capable: savings still compare with it


def test_efficient_names_models_left_out_while_cooling_down() -> None:
    d = router().route(ask("auto", 500), ProjectSettings(dial=0.0), RouteContext(frozenset({"x/small"})))
    assert d.model != "x/small"
    assert "Left out while cooling down after upstream failures: x/small." in d.explanation


def test_every_fallback_has_its_expected_cost() -> None:
    d = router().route(ask("auto", 500), ProjectSettings(dial=0.0), RouteContext())
    assert d.fallbacks and set(d.fallbacks) <= set(d.fallback_costs)
    assert d.fallback_costs[d.model] == d.expected_cost
    listed = {c.model: c.expected_cost for c in d.candidates}
    for model in d.fallbacks:
        if model in listed:
            assert d.fallback_costs[model] == listed[model]


def test_a_request_longer_than_every_model_is_context_too_long() -> None:
    with pytest.raises(ContextTooLong) as err:
        router().route(ask("auto/balanced", 200_000), ProjectSettings(), RouteContext())
    assert "200,000 prompt tokens" in err.value.message and "128,000 tokens" in err.value.message
    assert err.value.status == 400 and err.value.code == "context_length_exceeded"


def test_shipped_frontier_with_a_prompt_over_its_context() -> None:
    """The user's case: auto/frontier, ~1.2M tokens, the shipped Frontier model holds 1M."""
    shipped = load_catalog()
    r = Router(shipped, load_default_snapshot(), FakeClassifier.fixed(PROBS, 0.9))
    d = r.route(ask("auto/frontier", 1_200_000, mode="code"), ProjectSettings(), RouteContext())
    configured = d.frontier_model
    assert configured is not None and d.model != configured
    info = shipped.get(configured)
    assert info is not None and info.context < 1_200_000
    assert f"The configured Frontier implementation model, {configured}, cannot serve this request" in (
        d.explanation
    )
    assert f"the implementation model {d.model}" not in d.explanation
    assert d.frontier_unfit == "context" and d.frontier_cost is None
