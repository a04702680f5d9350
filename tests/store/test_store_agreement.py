"""Every backend answers usage queries exactly like MemoryStore, the reference, on random data."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from benchroute.store.base import Store, UsageRecord
from benchroute.store.memory import MemoryStore
from benchroute.store.query import GROUPS

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def random_usage(rng: random.Random, n: int) -> list[UsageRecord]:
    out = []
    for i in range(n):
        out.append(
            UsageRecord(
                id=f"r{i}",
                time=T0 + timedelta(minutes=rng.randrange(0, 60 * 24 * 5)),
                project=rng.choice(["alpha", "beta", "gamma"]),
                key_id=rng.choice(["k1", "k2", None]),
                session_key=rng.choice(["s1", "s2", "s3", None]),
                client_name=rng.choice(["kilo-code", "codex", None]),
                client_version=None,
                api_kind=rng.choice(["chat", "messages", "responses"]),
                requested_model="auto",
                tier=rng.choice(["auto/efficient", "auto/frontier", "auto/free"]),
                routed_model=rng.choice(["small", "mid", "big"]),
                provider=rng.choice(["local", "openrouter"]),
                prompt_tokens=rng.randrange(0, 5000),
                completion_tokens=rng.randrange(0, 800),
                cached_tokens=rng.randrange(0, 100),
                cost_usd=round(rng.random() / 100, 6),
                status=rng.choice([200, 200, 200, 429, 502]),
                frontier_cost_usd=rng.choice([None, round(rng.random() / 10, 6)]),
            )
        )
    return out


async def test_summaries_and_listings_agree_with_the_reference(store: Store) -> None:
    rng = random.Random(20261122)
    records = random_usage(rng, 400)
    reference = MemoryStore()
    for chunk in (records[:150], records[150:]):
        await reference.write_usage(chunk)
        await store.write_usage(chunk)

    since, until = T0 + timedelta(days=1), T0 + timedelta(days=3, hours=7)
    group_sets = [[g] for g in GROUPS] + [
        list(c) for c in itertools.combinations(["model", "day", "tier"], 2)
    ]
    for group_by in group_sets:
        for project, window in itertools.product([None, "beta"], [(None, None), (since, until)]):
            want = await reference.usage_summary(
                project=project, group_by=group_by, since=window[0], until=window[1]
            )
            got = await store.usage_summary(
                project=project, group_by=group_by, since=window[0], until=window[1]
            )
            assert [r.group for r in got] == [r.group for r in want], (group_by, project)
            for g, w in zip(got, want, strict=True):
                assert (g.requests, g.prompt_tokens, g.completion_tokens) == (
                    w.requests,
                    w.prompt_tokens,
                    w.completion_tokens,
                )
                assert g.cost_usd == pytest.approx(w.cost_usd)
                assert g.frontier_cost_usd == pytest.approx(w.frontier_cost_usd)
                assert g.extra == pytest.approx(w.extra)

    for filters in ({}, {"session_key": "s2"}, {"routed_model": "big", "status": 502}, {"since": since}):
        want_rows = await reference.list_usage(project="alpha", limit=1000, **filters)
        got_rows = await store.list_usage(project="alpha", limit=1000, **filters)
        assert got_rows == want_rows, filters
