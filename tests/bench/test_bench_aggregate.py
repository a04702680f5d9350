"""Aggregation into a Snapshot (Wilson, means, sources), merging, and the published page."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchroute.bench.aggregate import aggregate, merge, snapshot_from_results
from benchroute.bench.publish import publish, to_html
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.store.base import BenchResult

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def res(
    task: str, passed: bool, *, model: str = "m/a", cell: str = "implement:easy", **kw: object
) -> BenchResult:
    task_type, difficulty = cell.split(":")
    fields: dict[str, object] = {
        "run_id": "r",
        "suite": "humaneval",
        "task_id": task,
        "model": model,
        "provider": "p",
        "task_type": task_type,
        "difficulty": difficulty,
        "score": 1.0 if passed else 0.0,
        "passed": passed,
        "prompt_tokens": 100,
        "completion_tokens": 50,
        "cost_usd": 0.002,
        "latency_ms": 400.0,
        "time": T0,
    }
    fields.update(kw)
    return BenchResult(**fields)  # type: ignore[arg-type]


def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_aggregate_counts_means_sources_and_wilson() -> None:
    results = [res(f"t{i}", i < 7) for i in range(10)]
    results.append(res("t0", True, cost_usd=0.004, prompt_tokens=300, time=T0 - timedelta(days=2)))  # older
    results.append(res("x", False, suite="mbpp", cell="implement:easy", cost_usd=0.008, latency_ms=1000.0))
    results.append(res("t1", True, model="m/b", cell="debug:hard"))
    stats = {(s.model, s.cell): s for s in aggregate(results)}
    a = stats[("m/a", "implement:easy")]
    assert (a.trials, a.successes) == (11, 7)  # the older duplicate of t0 is not counted
    assert a.mean_cost == pytest.approx((10 * 0.002 + 0.008) / 11)
    assert a.mean_prompt_tokens == 100
    assert a.mean_completion_tokens == 50
    assert a.latency_ms == pytest.approx((10 * 400 + 1000) / 11)
    assert a.sources == ("bench:humaneval", "bench:mbpp")
    assert a.last_run == "2026-03-01"
    low, high = a.wilson()
    assert (low, high) == pytest.approx(wilson(7, 11))
    assert 0.35 < low < 7 / 11 < high < 0.87
    assert stats[("m/b", "debug:hard")].trials == 1
    every = {(s.model, s.cell): s for s in aggregate(results, latest_only=False)}
    assert every[("m/a", "implement:easy")].trials == 12


def test_merge_prefers_bench_or_combines_and_keeps_evidence_sources() -> None:
    own = snapshot_from_results([res("t1", True), res("t2", False)], created="2026-03-02")
    imported = Snapshot.from_stats(
        [
            CellStats(
                "m/a", "implement:easy", 100, 90, mean_cost=0.001, sources=("aider:polyglot 2025-01-01",)
            ),
            CellStats("m/z", "edit:medium", 50, 25, sources=("aider:edit 2024-12-01",)),
        ],
        description="shipped",
    )
    preferred = merge(own, imported)
    a = preferred.get("m/a", "implement:easy")
    assert a is not None and (a.trials, a.successes, a.sources) == (2, 1, ("bench:humaneval",))
    z = preferred.get("m/z", "edit:medium")
    assert z is not None and z.sources == ("aider:edit 2024-12-01",)
    pooled = merge(own, imported, mode="combine").get("m/a", "implement:easy")
    assert pooled is not None
    assert (pooled.trials, pooled.successes) == (102, 91)
    assert pooled.mean_cost == pytest.approx((2 * 0.002 + 100 * 0.001) / 102)
    assert pooled.sources == ("aider:polyglot 2025-01-01", "bench:humaneval")
    # the merged snapshot round-trips through the on-disk format
    assert Snapshot.from_json(preferred.to_json()).cells == preferred.cells


def test_publish_writes_a_self_contained_sortable_page_and_json(tmp_path: Path) -> None:
    snapshot = snapshot_from_results(
        [res("t1", True, model="m/<script>"), res("t2", False, model="m/b", cell="math:hard")]
    )
    page, data = publish(snapshot, tmp_path / "site")
    html = page.read_text()
    assert html.startswith("<!doctype html>")
    assert "m/&lt;script&gt;" in html and "m/<script>" not in html
    assert "addEventListener('click'" in html  # sortable
    assert "http://" not in html and "https://" not in html and "src=" not in html  # no external assets
    assert Snapshot.from_json(data.read_bytes()).cells == snapshot.cells
    assert to_html(Snapshot()).count("<tr>") == 1  # header only
