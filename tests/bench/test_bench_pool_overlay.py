"""A project's routing uses its pool's results: `bench pool` runs (run id pool-<project>-<date>)
are evidence for that project only, in a per-project snapshot the Router routes its requests on."""

from __future__ import annotations

from datetime import UTC, datetime

from benchroute.bench.refresh import build_snapshots, pool_project
from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.base import ProjectSnapshotEngine, RouteContext
from benchroute.routing.evidence import Snapshot
from benchroute.routing.fake_classifier import FakeClassifier
from benchroute.routing.router import Router
from benchroute.settings import ProjectSettings, TierSettings
from benchroute.store.base import BenchResult
from benchroute.wire.canonical import ChatRequest, Message, RequestContext, TextPart

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def res(task: str, model: str, passed: bool, run_id: str = "r1") -> BenchResult:
    return BenchResult(
        run_id=run_id,
        suite="humaneval",
        task_id=task,
        model=model,
        provider="x",
        task_type="implement",
        difficulty="easy",
        score=float(passed),
        passed=passed,
        prompt_tokens=100,
        completion_tokens=50,
        cost_usd=0.001,
        latency_ms=10.0,
        time=T0,
    )


def catalog() -> Catalog:
    prices = {"x/big": (3.0, 15.0), "x/cheap": (0.1, 0.4)}
    return Catalog(
        ModelInfo(id=m, provider="x", upstream_id=m[2:], input_price=i, output_price=o, context=128000)
        for m, (i, o) in prices.items()
    )


def request(project: str) -> ChatRequest:
    return ChatRequest(
        model="auto/efficient",
        messages=[Message(role="user", content=[TextPart("add a flag")])],
        context=RequestContext(project=project),
    )


def test_pool_run_ids_name_their_project() -> None:
    assert pool_project("pool-team-a-20260301") == "team-a"
    assert pool_project("r1") is None and pool_project("pool-x") is None


def test_a_project_routes_on_its_pool_results_and_others_do_not() -> None:
    shared = [res(f"t{i}", "x/big", i < 36) for i in range(40)]
    pool = [res(f"t{i}", "x/cheap", True, run_id="pool-alpha-20260301") for i in range(40)]
    snapshot, overlays = build_snapshots([*shared, *pool], Snapshot())
    assert snapshot.get("x/cheap", "implement:easy") is None  # pool results stay the project's
    assert set(overlays) == {"alpha"}
    alpha = overlays["alpha"].get("x/cheap", "implement:easy")
    assert alpha is not None and alpha.trials == 40
    tiers = TierSettings(balanced={"chat": "x/big", "messages": "x/big", "responses": "x/big"})
    classifier = FakeClassifier.fixed({"implement:easy": 1.0}, 0.9)
    router = Router(catalog(), snapshot, classifier, tiers)
    assert isinstance(router, ProjectSnapshotEngine)
    router = router.with_project_snapshots(overlays)
    dial0 = ProjectSettings(dial=0.0)
    assert router.route(request("alpha"), dial0, RouteContext()).model == "x/cheap"
    assert router.route(request("beta"), dial0, RouteContext()).model == "x/big"
    # a new shared snapshot keeps the projects' own until they are rebuilt
    assert router.with_snapshot(snapshot).route(request("alpha"), dial0, RouteContext()).model == "x/cheap"
