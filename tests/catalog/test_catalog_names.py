"""Model names as clients send them -> catalog ids (Claude Code's bare Anthropic names)."""

from __future__ import annotations

import pytest

from benchroute.catalog import names
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.static import ModelNotFound, manual
from benchroute.settings import ProjectSettings


def _model(model_id: str, upstream: str | None = None) -> ModelInfo:
    provider = model_id.split("/", 1)[0]
    return ModelInfo(id=model_id, provider=provider, upstream_id=upstream or model_id.split("/", 1)[1])


CATALOG = Catalog(
    [
        _model("anthropic/claude-sonnet-4-5"),
        _model("anthropic/claude-haiku-4-5"),
        _model("anthropic/claude-opus-4-6"),
        _model("anthropic/claude-opus-4-20250514"),
        _model("anthropic/claude-3-5-haiku-20241022"),
        _model("openai/gpt-5.4"),
        _model("azure/gpt-5.4"),
        _model("ant/claude", upstream="claude-code-house-model"),
    ]
)


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        ("anthropic/claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"),  # a catalog id is itself
        ("claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"),
        ("claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5"),  # Claude Code's small/fast model
        ("claude-opus-4-6", "anthropic/claude-opus-4-6"),
        ("claude-opus-4-20250514", "anthropic/claude-opus-4-20250514"),  # a dated id as it is
        ("claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku-20241022"),  # the one dated snapshot
        ("claude-code-house-model", "ant/claude"),  # the one model with that upstream id
        ("gpt-5.4", None),  # two providers serve it: ambiguous
        ("claude-sonnet-9", None),
        ("other/claude-sonnet-4-5", None),  # a provider prefix is never guessed away
        ("", None),
    ],
)
def test_a_bare_name_resolves_to_the_one_catalog_id_it_can_mean(name: str, resolved: str | None) -> None:
    assert names.resolve(CATALOG, name) == resolved


def test_the_nearest_ids_of_an_unknown_name() -> None:
    assert names.nearest(CATALOG, "claude-sonet-4-5")[0] == "anthropic/claude-sonnet-4-5"
    assert names.nearest(CATALOG, "anthropic/claude-opus-4-7")[0] == "anthropic/claude-opus-4-6"
    assert names.nearest(CATALOG, "qqqqqqqq") == []


def test_a_manual_route_by_a_bare_name_serves_the_catalog_model_and_remembers_the_name() -> None:
    decision = manual(CATALOG, "claude-haiku-4-5-20251001", ProjectSettings())
    assert decision.model == "anthropic/claude-haiku-4-5" and decision.tier == "manual"
    assert decision.requested_model == "claude-haiku-4-5-20251001"
    assert "(as claude-haiku-4-5-20251001)" in decision.explanation


def test_an_unknown_name_is_404_with_the_nearest_ids() -> None:
    with pytest.raises(ModelNotFound) as info:
        manual(CATALOG, "claude-sonet-4-5", ProjectSettings())
    assert info.value.status == 404
    assert "did you mean anthropic/claude-sonnet-4-5" in info.value.message


def test_the_allowed_models_apply_to_the_resolved_id() -> None:
    from benchroute.routing.static import ModelNotAllowed

    project = ProjectSettings(allowed_models=["openai/*"])
    with pytest.raises(ModelNotAllowed):
        manual(CATALOG, "claude-sonnet-4-5", project)
