"""Property: whatever the evidence, prices, dial and tier, the router never picks a disallowed model."""

from __future__ import annotations

from fnmatch import fnmatchcase

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_example import request

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.routing.base import RouteContext
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.routing.static import RouteError
from benchroute.routing.taxonomy import ALL_CELLS
from benchroute.settings import ProjectSettings, TierSettings

MODELS = [f"{p}/m{i}" for p in ("a", "b") for i in range(4)]
PATTERNS = st.lists(st.sampled_from([*MODELS, "a/*", "b/*", "*/m1", "*", "z/*"]), min_size=1, max_size=3)
CELLS = st.sampled_from(ALL_CELLS[:9])


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Router, ProjectSettings, RouteContext, str]:
    prices = {m: (draw(st.floats(0, 20)), draw(st.floats(0, 60))) for m in MODELS}
    free = set(draw(st.lists(st.sampled_from(MODELS), max_size=3)))
    catalog = Catalog(
        ModelInfo(m, m.split("/")[0], m, input_price=i, output_price=o, free=m in free)
        for m, (i, o) in prices.items()
    )
    stats = []
    for m in draw(st.lists(st.sampled_from(MODELS), unique=True)):
        for c in draw(st.lists(CELLS, unique=True, max_size=4)):
            n = draw(st.integers(1, 300))
            stats.append(CellStats(m, c, n, draw(st.integers(0, n)), sources=("prop",)))
    cells = draw(st.lists(CELLS, min_size=1, max_size=3, unique=True))
    weights = [draw(st.floats(0.05, 1.0)) for _ in cells]
    probs = {c: w / sum(weights) for c, w in zip(cells, weights, strict=True)}
    tiers = TierSettings(
        balanced={"chat": draw(st.sampled_from(MODELS))},
        frontier={
            "reasoning": draw(st.sampled_from(MODELS)),
            "implementation": draw(st.sampled_from(MODELS)),
        },
    )
    routable = draw(st.none() | st.frozensets(st.sampled_from(MODELS)))
    router = Router(
        catalog,
        Snapshot.from_stats(stats),
        FakeClassifier.fixed(probs, draw(st.floats(0, 1))),
        tiers,
        routable=routable,
    )
    project = ProjectSettings(
        dial=draw(st.floats(0, 1)), min_confidence=draw(st.floats(0, 1)), allowed_models=draw(PATTERNS)
    )
    ctx = RouteContext(
        unavailable=frozenset(draw(st.lists(st.sampled_from(MODELS), max_size=4))), session_key="k"
    )
    tier = draw(st.sampled_from(["auto/efficient", "auto/frontier", "auto/balanced", "auto/free", "auto"]))
    return router, project, ctx, tier


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from(["plan", "code", None]))
def test_never_routes_to_a_disallowed_model(
    world: tuple[Router, ProjectSettings, RouteContext, str], mode: str | None
) -> None:
    router, project, ctx, tier = world
    req = request(tier, mode=mode) if mode else request(tier)
    try:
        d = router.route(req, project, ctx)
    except RouteError:
        # Refusing is fine; routing somewhere the project does not allow is not.
        return
    allowed = lambda m: any(fnmatchcase(m, p) for p in project.allowed_models)  # noqa: E731
    assert allowed(d.model), (d.model, project.allowed_models)
    assert all(allowed(m) for m in d.fallbacks)
    if router.routable is not None:  # auto tiers only call models someone holds a key for
        assert d.model in router.routable
        assert all(m in router.routable for m in d.fallbacks)
    assert d.model not in d.fallbacks
    if d.reason in ("cheapest_above_bar", "best_accuracy"):
        chosen = next(c for c in d.candidates if c.model == d.model)
        assert chosen.eligible
        assert d.bar is not None and chosen.expected_accuracy is not None
        assert chosen.expected_accuracy >= d.bar - 1e-9
