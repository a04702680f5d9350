"""Every Store method, on memory, SQLite and PostgreSQL (the parametrised `store` fixture)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from benchroute.store.base import BenchResult, DecisionRecord, Store, UsageRecord
from benchroute.store.errors import StoreError

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def usage(id: str, **kw: Any) -> UsageRecord:
    base: dict[str, Any] = dict(
        time=T0,
        project="alpha",
        key_id="k1",
        session_key="s1",
        client_name="kilo-code",
        client_version="5.2.3",
        api_kind="chat",
        requested_model="auto",
        tier="auto/efficient",
        routed_model="small",
        provider="local",
        prompt_tokens=100,
        completion_tokens=10,
        cost_usd=0.01,
        frontier_cost_usd=0.1,
    )
    base.update(kw)
    return UsageRecord(id=id, **base)


def bench(run_id: str, task_id: str, model: str, passed: bool = True) -> BenchResult:
    return BenchResult(
        run_id=run_id,
        suite="humaneval",
        task_id=task_id,
        model=model,
        provider="local",
        task_type="implement",
        difficulty="easy",
        score=1.0 if passed else 0.0,
        passed=passed,
        prompt_tokens=50,
        completion_tokens=20,
        cost_usd=0.002,
        latency_ms=123.5,
        time=T0,
        checker="unit_tests",
        reason="" if passed else "assertion failed",
        source="humaneval (MIT)",
    )


async def test_usage_roundtrip_all_fields(store: Store) -> None:
    rec = usage(
        "u1",
        cached_tokens=7,
        latency_ms=12.5,
        ttft_ms=3.25,
        status=502,
        error="upstream",
        decision_id="u1",
        stream=True,
        mode="code",
        task_id="t",
        parent_task_id="pt",
        editor_name="vscode",
        machine_id="m",
        user_agent="ua/1",
    )
    await store.write_usage([rec])
    [got] = await store.list_usage(project="alpha")
    assert got == rec
    assert got.time.tzinfo is not None


async def test_write_usage_is_idempotent_on_id(store: Store) -> None:
    await store.write_usage([usage("u1"), usage("u1", prompt_tokens=999)])
    await store.write_usage([usage("u1", prompt_tokens=555)])
    rows = await store.list_usage(project=None)
    assert [r.prompt_tokens for r in rows] == [100]


async def test_naive_and_offset_times_are_stored_as_utc(store: Store) -> None:
    await store.write_usage([usage("naive", time=T0.replace(tzinfo=None))])
    await store.write_usage([usage("aware", time=T0.astimezone(timezone(timedelta(hours=2))))])
    rows = await store.list_usage(project="alpha")
    assert [r.time for r in rows] == [T0, T0]
    assert all(r.time.utcoffset() == timedelta(0) for r in rows)


async def test_usage_summary_groups_and_sums(store: Store) -> None:
    await store.write_usage(
        [
            usage("a", routed_model="small", cost_usd=0.01),
            usage("b", routed_model="small", cost_usd=0.02, status=500),
            usage("c", routed_model="big", cost_usd=0.5, frontier_cost_usd=None),
            usage("d", routed_model="big", project="beta"),
            usage("e", routed_model="small", time=T0 + timedelta(days=1)),
        ]
    )
    rows = await store.usage_summary(project="alpha", group_by=["model"])
    by = {r.group["model"]: r for r in rows}
    assert [r.group["model"] for r in rows] == ["big", "small"]
    assert by["small"].requests == 3
    assert by["small"].prompt_tokens == 300
    assert by["small"].completion_tokens == 30
    assert by["small"].cost_usd == pytest.approx(0.04)
    assert by["small"].frontier_cost_usd == pytest.approx(0.3)
    assert by["small"].extra["errors"] == 1
    assert by["big"].requests == 1
    assert by["big"].frontier_cost_usd == 0.0
    assert by["big"].extra["priced_cost_usd"] == 0.0  # no frontier cost: no savings claimed
    assert by["small"].extra["priced_cost_usd"] == pytest.approx(0.04)

    days = await store.usage_summary(project="alpha", group_by=["day", "model"])
    assert [(r.group["day"], r.group["model"], r.requests) for r in days] == [
        ("2026-11-20", "big", 1),
        ("2026-11-20", "small", 2),
        ("2026-11-21", "small", 1),
    ]

    projects = await store.usage_summary(project=None, group_by=["project"])
    assert [(r.group["project"], r.requests) for r in projects] == [("alpha", 4), ("beta", 1)]

    total = await store.usage_summary(project=None, group_by=[])
    assert len(total) == 1 and total[0].requests == 5 and total[0].group == {}


async def test_usage_summary_day_is_utc_day(store: Store) -> None:
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=5)))
    await store.write_usage([usage("late", time=late)])
    [row] = await store.usage_summary(project="alpha", group_by=["day"])
    assert row.group["day"] == "2026-11-20"


async def test_usage_summary_time_window_and_other_groups(store: Store) -> None:
    await store.write_usage(
        [
            usage("a", time=T0 - timedelta(hours=1), session_key="s0"),
            usage("b", time=T0, session_key="s1", tier="auto/frontier", client_name="codex"),
            usage("c", time=T0 + timedelta(hours=1), session_key="s2"),
        ]
    )
    rows = await store.usage_summary(
        project="alpha", group_by=["session", "tier", "client"], since=T0, until=T0 + timedelta(hours=1)
    )
    assert [r.group for r in rows] == [{"session": "s1", "tier": "auto/frontier", "client": "codex"}]
    with pytest.raises(StoreError, match="unknown usage group"):
        await store.usage_summary(project="alpha", group_by=["colour"])


async def test_list_usage_filters_order_and_limit(store: Store) -> None:
    await store.write_usage(
        [usage(f"u{i}", time=T0 + timedelta(minutes=i), session_key=f"s{i % 2}") for i in range(6)]
        + [usage("other", project="beta")]
    )
    rows = await store.list_usage(project="alpha", limit=4)
    assert [r.id for r in rows] == ["u5", "u4", "u3", "u2"]
    rows = await store.list_usage(project="alpha", session_key="s0")
    assert [r.id for r in rows] == ["u4", "u2", "u0"]
    rows = await store.list_usage(
        project="alpha", since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4)
    )
    assert [r.id for r in rows] == ["u3", "u2"]
    assert [r.id for r in await store.list_usage(project="beta")] == ["other"]
    with pytest.raises(StoreError, match="unknown usage filter"):
        await store.list_usage(project="alpha", colour="red")


async def test_decisions(store: Store) -> None:
    d = {"chosen": "small", "reason": "cheapest_above_bar", "candidates": [{"model": "big", "a": 0.9}]}
    recs = [
        DecisionRecord("d1", T0, "alpha", "s1", d),
        DecisionRecord("d2", T0 + timedelta(seconds=1), "alpha", "s1", {"chosen": "big"}),
        DecisionRecord("d3", T0 + timedelta(seconds=2), "alpha", "s2", {"chosen": "big"}),
        DecisionRecord("d4", T0, "beta", "s1", {"chosen": "x"}),
    ]
    await store.write_decisions(recs)
    await store.write_decisions([DecisionRecord("d1", T0, "alpha", "s1", {"chosen": "changed"})])
    got = await store.get_decision("d1", project="alpha")
    assert got == recs[0]
    assert await store.get_decision("d1", project="beta") is None  # another project's decision
    assert await store.get_decision("d1", project=None) == recs[0]  # admin view
    assert await store.get_decision("nope", project=None) is None
    assert [r.id for r in await store.list_decisions(project="alpha")] == ["d3", "d2", "d1"]
    assert [r.id for r in await store.list_decisions(project="alpha", session_key="s1")] == ["d2", "d1"]
    assert [r.id for r in await store.list_decisions(project=None, limit=2)] == ["d3", "d2"]


async def test_gateway_keys(store: Store) -> None:
    info, secret = await store.create_key("alpha", name="laptop")
    assert secret.startswith("br-") and info.id in secret and len(secret) > 40
    assert info.project == "alpha" and info.name == "laptop" and not info.admin and not info.revoked
    assert secret not in repr(info)

    assert await store.verify_key(secret) == info
    assert await store.verify_key(secret + "x") is None
    assert await store.verify_key(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert await store.verify_key("br-" + "0" * 12 + "-whatever") is None
    assert await store.verify_key("") is None
    assert await store.verify_key("sk-not-ours") is None

    admin, admin_secret = await store.create_key("*", name="ops")
    assert admin.admin
    flagged, _ = await store.create_key("beta", admin=True)
    assert flagged.admin and flagged.project == "beta"
    verified = await store.verify_key(admin_secret)
    assert verified is not None and verified.admin

    assert [k.id for k in await store.list_keys("alpha")] == [info.id]
    assert {k.id for k in await store.list_keys()} == {info.id, admin.id, flagged.id}

    assert await store.revoke_key(info.id) is True
    assert await store.revoke_key(info.id) is False
    assert await store.revoke_key("unknown") is False
    assert await store.verify_key(secret) is None
    [listed] = await store.list_keys("alpha")
    assert listed.revoked


async def test_provider_keys_encrypted_and_masked(store: Store) -> None:
    assert await store.get_provider_key("alpha", "openai") is None
    await store.set_provider_key("alpha", "openai", "sk-proj-aaaaaaaaaaaa1234")
    await store.set_provider_key("alpha", "anthropic", "sk-ant-bbbbbbbbbbbb9876")
    await store.set_provider_key("beta", "openai", "sk-beta-cccccccccc0000")
    assert await store.get_provider_key("alpha", "openai") == "sk-proj-aaaaaaaaaaaa1234"
    assert await store.list_provider_keys("alpha") == [("anthropic", "sk-...9876"), ("openai", "sk-...1234")]

    await store.set_provider_key("alpha", "openai", "sk-proj-replaced-5555")
    assert await store.get_provider_key("alpha", "openai") == "sk-proj-replaced-5555"
    assert await store.get_provider_key("beta", "openai") == "sk-beta-cccccccccc0000"

    assert await store.delete_provider_key("alpha", "openai") is True
    assert await store.delete_provider_key("alpha", "openai") is False
    assert await store.get_provider_key("alpha", "openai") is None
    assert await store.list_provider_keys("alpha") == [("anthropic", "sk-...9876")]


async def test_bench_results(store: Store) -> None:
    rows = [bench("r1", "t1", "small"), bench("r1", "t2", "small", passed=False), bench("r2", "t1", "big")]
    await store.write_bench_results(rows)
    await store.write_bench_results([])
    assert await store.list_bench_results() == rows
    assert await store.list_bench_results(run_id="r1") == rows[:2]
    assert await store.list_bench_results(model="big") == rows[2:]
    assert await store.list_bench_results(suite="humaneval", model="small", run_id="r1") == rows[:2]
    assert await store.list_bench_results(suite="other") == []


async def test_bench_results_keep_agent_stats_as_json(store: Store) -> None:
    stats = {"driver": "builtin", "turns": 3, "malformed": {"bad_json": 1}, "wall_s": 1.5, "effort": None}
    agent = replace(bench("r1", "a1", "small", passed=False), suite="agent.builtin", agent_stats=stats)
    single = bench("r1", "t1", "small")
    await store.write_bench_results([agent, single])
    stats["turns"] = 99  # the store holds its own copy
    got_agent, got_single = await store.list_bench_results(run_id="r1")
    assert got_agent.agent_stats == {**stats, "turns": 3} and got_agent.reason == "assertion failed"
    assert got_single.agent_stats is None and got_single == single


async def test_project_settings_and_change_log(store: Store) -> None:
    assert await store.get_project_settings("alpha") is None
    await store.set_project_settings("alpha", {"dial": 0.2}, actor="admin:k1")
    await store.set_project_settings("alpha", {"dial": 0.7, "allowed_models": ["a/*"]}, actor="admin:k2")
    await store.set_project_settings("beta", {"tier": "auto/frontier"})
    assert await store.get_project_settings("alpha") == {"dial": 0.7, "allowed_models": ["a/*"]}
    changes = await store.list_settings_changes(project="alpha")
    assert [(c.actor, c.values["dial"]) for c in changes] == [("admin:k2", 0.7), ("admin:k1", 0.2)]
    assert len(await store.list_settings_changes()) == 3
    assert len(await store.list_settings_changes(limit=1)) == 1


async def test_empty_writes_are_no_ops(store: Store) -> None:
    await store.write_usage([])
    await store.write_decisions([])
    assert await store.list_usage(project=None) == []
    assert await store.usage_summary(project=None, group_by=["model"]) == []


async def test_usage_summary_by_hour_mode_and_status(store: Store) -> None:
    """The groups the savings computation and the dashboard's hourly charts need."""
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=5)))
    await store.write_usage(
        [
            usage("h1", mode="code"),
            usage("h2", mode="plan", time=T0 + timedelta(minutes=59)),
            usage("h3", mode="code", status=502, time=late),
        ]
    )
    rows = await store.usage_summary(project="alpha", group_by=["hour", "mode", "status"])
    assert [(r.group["hour"], r.group["mode"], r.group["status"], r.requests) for r in rows] == [
        ("2026-11-20T10", "code", 200, 1),
        ("2026-11-20T10", "plan", 200, 1),
        ("2026-11-20T23", "code", 502, 1),
    ]
