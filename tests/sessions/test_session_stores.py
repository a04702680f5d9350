"""One suite for every SessionStore backend (memory and real Redis), plus backend specifics."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from session_redis import REDIS_URL, drop_prefix

from benchroute.sessions.base import HistoryEntry, SessionState, SessionStore
from benchroute.sessions.memory import MemorySessionStore
from benchroute.sessions.redis import RedisSessionStore
from support.poll import eventually


def _state(key: str = "s1", project: str = "default", **kw: object) -> SessionState:
    return replace(SessionState(key=key, project=project), **kw)  # type: ignore[arg-type]


async def test_missing_session_is_none(session_store: SessionStore) -> None:
    assert await session_store.get("default", "nope") is None


async def test_put_then_get_round_trips_every_field(session_store: SessionStore) -> None:
    state = SessionState(
        key="task-1",
        project="p1",
        model="openai/gpt-4.1-mini",
        tier="auto/efficient",
        turns=3,
        last_decision_id="d3",
        parent_key="task-0",
        created=100.0,
        updated=130.5,
        switches=1,
        history=(HistoryEntry("d1", "a/x", "new"), HistoryEntry("d3", "openai/gpt-4.1-mini", "escalate")),
    )
    await session_store.put(state)
    assert await session_store.get("p1", "task-1") == state


async def test_projects_are_separate(session_store: SessionStore) -> None:
    await session_store.put(_state("same", "alpha", model="a/one"))
    await session_store.put(_state("same", "beta", model="b/two"))
    a = await session_store.get("alpha", "same")
    b = await session_store.get("beta", "same")
    assert a is not None and a.model == "a/one"
    assert b is not None and b.model == "b/two"
    assert await session_store.get("gamma", "same") is None


async def test_update_creates_changes_and_deletes(session_store: SessionStore) -> None:
    created = await session_store.update("default", "k", lambda s: s or _state("k", model="m/1"))
    assert created is not None and created.model == "m/1"
    changed = await session_store.update(
        "default", "k", lambda s: replace(s, turns=s.turns + 5) if s else None
    )
    assert changed is not None and changed.turns == 5
    assert await session_store.get("default", "k") == changed
    assert await session_store.update("default", "k", lambda s: None) is None
    assert await session_store.get("default", "k") is None


async def test_concurrent_updates_lose_no_turn(session_store: SessionStore) -> None:
    def bump(s: SessionState | None) -> SessionState:
        base = s or _state("busy")
        return base.record(f"d{base.turns}", "m/x", "auto/efficient", "stay", 1.0)

    await asyncio.gather(*(session_store.update("default", "busy", bump) for _ in range(40)))
    final = await session_store.get("default", "busy")
    assert final is not None
    assert final.turns == 40
    assert len({h.decision_id for h in final.history}) == 40


async def test_sessions_expire_after_their_ttl(session_store: SessionStore) -> None:
    await session_store.put(_state("short", model="m/1"), ttl=0.15)
    await session_store.put(_state("long", model="m/1"), ttl=30)
    assert await session_store.get("default", "short") is not None

    async def expired() -> bool:
        return await session_store.get("default", "short") is None

    await eventually(expired, what="the short session expires")
    assert await session_store.get("default", "long") is not None


async def test_update_refreshes_the_ttl(session_store: SessionStore) -> None:
    await session_store.put(_state("k", model="m/1"), ttl=0.2)
    await asyncio.sleep(0.1)
    await session_store.update("default", "k", lambda s: s, ttl=30)
    await asyncio.sleep(0.2)
    assert await session_store.get("default", "k") is not None


async def test_delete(session_store: SessionStore) -> None:
    await session_store.put(_state("gone"))
    await session_store.delete("default", "gone")
    assert await session_store.get("default", "gone") is None
    await session_store.delete("default", "never-was")  # no error


def test_record_counts_switches_and_bounds_history() -> None:
    s = _state()
    models = ["a", "a", "b", "b", "a"]
    for i, m in enumerate(models):
        s = s.record(f"d{i}", m, "auto/efficient", "stay", float(i + 1), limit=3)
    assert s.turns == 5
    assert s.switches == 2  # a -> b, b -> a
    assert [h.decision_id for h in s.history] == ["d2", "d3", "d4"]
    assert s.created == 1.0 and s.updated == 5.0
    assert s.model == "a" and s.last_decision_id == "d4"


async def test_memory_store_evicts_least_recently_used() -> None:
    store = MemorySessionStore(max_sessions=2)
    await store.put(_state("a"))
    await store.put(_state("b"))
    assert await store.get("default", "a") is not None  # a is now the most recent
    await store.put(_state("c"))
    assert len(store) == 2
    assert await store.get("default", "b") is None
    assert await store.get("default", "a") is not None
    assert await store.get("default", "c") is not None


async def test_memory_store_expiry_by_clock() -> None:
    now = [0.0]
    store = MemorySessionStore(ttl=10, clock=lambda: now[0])
    await store.put(_state("a"))
    await store.put(_state("b"), ttl=100)
    now[0] = 50.0
    assert store.purge_expired() == 1
    assert await store.get("default", "a") is None
    assert await store.get("default", "b") is not None


async def test_memory_store_update_sees_no_expired_state_and_renews_ttl_and_recency() -> None:
    now = [0.0]
    store = MemorySessionStore(max_sessions=2, ttl=10, clock=lambda: now[0])
    await store.put(_state("a"))
    await store.put(_state("b"))
    seen: list[SessionState | None] = []

    def bump(s: SessionState | None) -> SessionState:
        seen.append(s)
        return (s or _state("a")).record("d", "m/2", "auto/efficient", "new", now[0])

    now[0] = 5.0
    await store.update("default", "a", bump)  # live: given, kept 10 s from now, most recent
    now[0] = 12.0
    assert await store.get("default", "b") is None  # expired at 10
    assert await store.get("default", "a") is not None  # renewed until 15
    await store.put(_state("c"))
    await store.put(_state("d"))  # two at most: the least recently used (a) goes
    assert await store.get("default", "a") is None
    now[0] = 30.0
    await store.update("default", "c", bump)  # expired: the updater starts afresh
    assert seen[0] is not None and seen[0].key == "a" and seen[1] is None
    assert await store.update("default", "d", lambda s: None) is None
    assert await store.get("default", "d") is None


async def test_two_redis_clients_share_sessions(redis_prefix: str) -> None:
    """Two gateway processes (two clients) see and update the same session."""
    one = RedisSessionStore.from_url(REDIS_URL, prefix=redis_prefix)
    two = RedisSessionStore.from_url(REDIS_URL, prefix=redis_prefix)
    try:
        await one.put(_state("shared", model="m/1"))
        seen = await two.get("default", "shared")
        assert seen is not None and seen.model == "m/1"

        def bump(s: SessionState | None) -> SessionState:
            return (s or _state("shared")).record("d", "m/2", "auto/efficient", "escalate", 2.0)

        await asyncio.gather(
            *(store.update("default", "shared", bump) for store in (one, two) for _ in range(10))
        )
        final = await one.get("default", "shared")
        assert final is not None and final.turns == 20 and final.model == "m/2"
    finally:
        await drop_prefix(one)
        await one.aclose()
        await two.aclose()


async def test_redis_ignores_a_value_it_cannot_read(redis_store: RedisSessionStore) -> None:
    await redis_store.client.set(redis_store.redis_key("default", "bad"), b"{not json")
    assert await redis_store.get("default", "bad") is None
    fresh = await redis_store.update("default", "bad", lambda s: s or _state("bad", model="m/1"))
    assert fresh is not None and fresh.model == "m/1"


async def test_settings_choose_the_backend(redis_prefix: str) -> None:
    from benchroute.sessions.factory import open_session_store
    from benchroute.settings import Settings

    memory = open_session_store(Settings())
    assert isinstance(memory, MemorySessionStore)
    shared = open_session_store(Settings(store={"redis_url": REDIS_URL}), ttl=5)  # type: ignore[arg-type]
    assert isinstance(shared, RedisSessionStore) and shared.ttl == 5
    shared.prefix = redis_prefix
    try:
        await shared.put(_state("via-settings", model="m/1"))
        got = await shared.get("default", "via-settings")
        assert got is not None and got.model == "m/1"
    finally:
        await drop_prefix(shared)
        await shared.aclose()


def test_record_carries_every_field_it_does_not_change() -> None:
    # `record` builds the new state field by field (not `replace`): a field added to SessionState
    # must be carried over, or listed here as one `record` sets.
    from dataclasses import fields

    sets = {"model", "tier", "turns", "last_decision_id", "created", "updated", "switches", "history"}
    before = SessionState(
        key="k", project="p", model="a/x", tier="auto/free", turns=4, last_decision_id="d4",
        parent_key="parent", created=10.0, updated=20.0, switches=2,
        history=(HistoryEntry("d4", "a/x", "new"),),
    )  # fmt: skip
    after = before.record("d5", "b/y", "auto/efficient", "escalate", 30.0)
    for f in fields(SessionState):
        if f.name not in sets:
            assert getattr(after, f.name) == getattr(before, f.name), f.name
    assert (after.model, after.tier, after.turns) == ("b/y", "auto/efficient", 5)
    assert after.last_decision_id == "d5"
    assert (after.created, after.updated, after.switches) == (10.0, 30.0, 3)
    assert after.history == (HistoryEntry("d4", "a/x", "new"), HistoryEntry("d5", "b/y", "escalate"))
