"""auto/free: weighted split, stickiness, cooldown skip, and reload when the pool file changes."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from policy_example import request

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.routing.base import RouteContext
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.freepool import FreePool, FreePoolSource
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, TierSettings

FREE = ["f/a", "f/b", "f/c"]


def free_router(pool: FreePool | None = None) -> Router:
    cat = Catalog([ModelInfo(m, "f", m, free=True) for m in FREE] + [ModelInfo("p/paid", "p", "paid")])
    tiers = TierSettings(balanced={"chat": "p/paid"})
    return Router(cat, Snapshot(), FakeClassifier(), tiers, free_pool=pool)


def test_default_pool_is_the_free_models_of_the_catalog() -> None:
    r = free_router()
    assert r.free_pool.ids() == FREE
    d = r.route(request("kilo-auto/free"), ProjectSettings(), RouteContext(session_key="s1"))
    assert d.model in FREE
    assert (d.tier, d.reason, d.expected_cost) == ("auto/free", "free_pool", 0.0)


def test_split_follows_the_weights() -> None:
    pool = FreePool((("f/a", 1.0), ("f/b", 2.0), ("f/c", 5.0)))
    r = free_router(pool)
    n = 8000
    counts = Counter(
        r.route(request("auto/free"), ProjectSettings(), RouteContext(session_key=f"s{i}")).model
        for i in range(n)
    )
    for model, weight in pool.models:
        assert counts[model] / n == pytest.approx(weight / 8.0, abs=0.02)


def test_sessions_are_sticky_and_only_a_cooling_model_moves() -> None:
    r = free_router()
    keys = [f"session-{i}" for i in range(300)]
    first = {
        k: r.route(request("auto/free"), ProjectSettings(), RouteContext(session_key=k)).model for k in keys
    }
    again = {
        k: r.route(request("auto/free"), ProjectSettings(), RouteContext(session_key=k)).model for k in keys
    }
    assert first == again
    cooling = frozenset({"f/a"})
    moved = {
        k: r.route(
            request("auto/free"), ProjectSettings(), RouteContext(session_key=k, unavailable=cooling)
        ).model
        for k in keys
    }
    for k in keys:
        assert moved[k] != "f/a"
        if first[k] != "f/a":
            assert moved[k] == first[k]


def test_without_a_session_key_the_conversation_start_pins_the_model() -> None:
    r = free_router()
    a = r.route(request("auto/free", text="hello"), ProjectSettings(), RouteContext())
    b = r.route(request("auto/free", text="hello"), ProjectSettings(), RouteContext())
    assert a.model == b.model


def test_free_pool_honours_allowed_models() -> None:
    r = free_router()
    for i in range(50):
        d = r.route(
            request("auto/free"), ProjectSettings(allowed_models=["f/c"]), RouteContext(session_key=str(i))
        )
        assert d.model == "f/c"


def test_source_reloads_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "free-pool.toml"
    path.write_text('[[models]]\nid = "f/a"\nweight = 3\n')
    source = FreePoolSource(path, FreePool())
    assert source.current().models == (("f/a", 3.0),)
    same = source.current()
    assert source.current() is same  # unchanged file: no re-read
    path.write_text('[[models]]\nid = "f/b"\n\n[[models]]\nid = "f/c"\nweight = 0.5\n')
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert source.current().models == (("f/b", 1.0), ("f/c", 0.5))
    r = free_router(source.current())
    d = r.route(request("auto/free"), ProjectSettings(), RouteContext(session_key="k"))
    assert d.model in ("f/b", "f/c")


def test_source_keeps_the_last_good_pool_on_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "free-pool.toml"
    path.write_text('[[models]]\nid = "f/a"\n')
    source = FreePoolSource(path, FreePool())
    good = source.current()
    path.write_text("[[models]]\nid = 3\nweight = -1\n")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert source.current() == good
    assert source.last_error is not None
    path.unlink()
    assert source.current() == good


def test_no_usable_free_model_is_an_error() -> None:
    from benchroute.routing.static import NoModelConfigured

    with pytest.raises(NoModelConfigured):
        free_router().route(request("auto/free"), ProjectSettings(allowed_models=["p/*"]), RouteContext())
