"""`Router.decide(body, headers)`: the in-process API, parsing the body and headers itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_example import PROBS, PROMPT, catalog, request, snapshot, tiers

from benchroute.routing.base import RouteContext
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, ProviderSettings, Settings


def make() -> Router:
    projects = {"default": ProjectSettings(dial=0.5), "careful": ProjectSettings(dial=1)}
    return Router(catalog(), snapshot(), FakeClassifier.fixed(PROBS, 0.9), tiers(), projects=projects)


def body(model: str = "auto") -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": PROMPT}]}


def test_decide_uses_the_named_project() -> None:
    assert make().decide(body()).model == "x/upper"
    assert make().decide(body(), project="careful").model == "x/big"
    assert make().decide(body(), project=ProjectSettings(dial=0.6)).model == "x/upper"


def test_decide_reads_mode_session_and_client_from_headers() -> None:
    d = make().decide(body("kilo-auto/frontier"), {"X-KiloCode-Mode": "plan", "x-kilocode-taskid": "t-1"})
    assert (d.model, d.reason, d.session_key) == ("x/big", "frontier_reasoning", "t-1")
    old = make().decide(body(), {"User-Agent": "Kilo-Code/5.2.0"})
    assert (old.model, old.reason) == ("x/mid", "client_version")
    new = make().decide(body(), {"User-Agent": "Kilo-Code/5.3.0"})
    assert new.reason == "cheapest_above_bar"


def test_decide_honours_cooldown_and_api_kind() -> None:
    d = make().decide(body(), project=ProjectSettings(dial=0), unavailable=frozenset({"x/small"}))
    assert d.model == "x/mid"
    with pytest.raises(ValueError):
        make().decide(body(), api_kind="grpc")


def test_malformed_body_is_a_wire_error() -> None:
    from benchroute.wire.errors import WireError

    with pytest.raises(WireError):
        make().decide({"model": "auto"})


def test_from_settings_uses_the_given_catalog_and_config(tmp_path: Path) -> None:
    pool = tmp_path / "free.toml"
    pool.write_text('[[models]]\nid = "x/tiny"\n')
    board = tmp_path / "board.json"
    board.write_bytes(snapshot().to_json())
    settings = Settings(
        providers={"x": ProviderSettings(kind="fake", base_url="http://127.0.0.1:9")},
        leaderboard=str(board),
        tiers=tiers().model_copy(update={"free_pool": str(pool)}),
        projects={"default": ProjectSettings(dial=0.5)},
    )
    r = Router.from_settings(settings, catalog=catalog(), classifier=FakeClassifier.fixed(PROBS, 0.9))
    assert r.decide(body()).model == "x/upper"
    assert r.decide(body("auto/free")).model == "x/tiny"


def test_auto_tiers_choose_only_models_the_gateway_can_call() -> None:
    routable = frozenset({"x/mid", "x/big", "x/tiny"})
    r = Router(catalog(), snapshot(), FakeClassifier.fixed(PROBS, 0.9), tiers(), routable=routable)
    d = r.route(request(), ProjectSettings(dial=0), RouteContext())
    assert d.model == "x/mid"  # x/small would win, but nobody holds a key for it
    assert {c.model: c.note for c in d.candidates}["x/small"] == "no_key"
    assert r.decide(body("x/small")).model == "x/small"  # manual: the caller may bring a key (BYOK)
