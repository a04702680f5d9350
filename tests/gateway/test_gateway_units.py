"""Pure pieces of the gateway: header parsing, health, auth cache, static routing, session keys."""

from __future__ import annotations

import pytest

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.gateway.auth import Authenticator
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.headers import header_dict, parse_user_agent, request_context
from benchroute.limits.health import ModelHealth
from benchroute.routing.base import RouteContext
from benchroute.routing.static import ModelNotAllowed, ModelNotFound, NoModelConfigured, StaticRouter
from benchroute.settings import ProjectSettings, ServerSettings, TierSettings
from benchroute.store.memory import MemoryStore
from benchroute.wire.canonical import ChatRequest, Message, TextPart


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        ("Kilo-Code/7.7.7", ("kilo-code", "7.7.7")),
        ("OpenAI/Python 1.40.0", ("openai-python", "1.40.0")),
        ("Anthropic/Python 0.34.2", ("anthropic-python", "0.34.2")),
        ("kilo-cli/1.0.15 (linux; x64)", ("kilo-cli", "1.0.15")),
        ("codex_cli_rs/0.1.2504 (Ubuntu 22.4.0; x86_64) xterm", ("codex_cli_rs", "0.1.2504")),
        ("curl", ("curl", None)),
        (None, (None, None)),
    ],
)
def test_parse_user_agent(ua: str | None, expected: tuple[str | None, str | None]) -> None:
    assert parse_user_agent(ua) == expected


def test_request_context_from_headers() -> None:
    raw = [
        (b"x-kilocode-mode", b"architect"),
        (b"x-kilocode-taskid", b"task-1"),
        (b"x-kilocode-parent-taskid", b"task-0"),
        (b"x-session-affinity", b"aff"),
        (b"x-kilocode-editorname", b"Visual Studio Code 1.99"),
        (b"x-kilocode-machineid", b"m1"),
        (b"user-agent", b"Kilo-Code/4.1.0"),
    ]
    ctx = request_context(header_dict(raw), api_kind="chat", project="p", key_id="k")
    assert (ctx.mode, ctx.task_id, ctx.parent_task_id, ctx.session_affinity) == (
        "architect",
        "task-1",
        "task-0",
        "aff",
    )
    assert (ctx.editor_name, ctx.machine_id, ctx.client_name, ctx.client_version) == (
        "Visual Studio Code 1.99",
        "m1",
        "kilo-code",
        "4.1.0",
    )
    assert (
        request_context({"x-benchroute-mode": "code"}, api_kind="chat", project="p", key_id=None).mode
        == "code"
    )


def test_health_cooldown_after_consecutive_failures() -> None:
    now = [0.0]
    health = ModelHealth(cooldown_failures=2, cooldown_seconds=10, clock=lambda: now[0])
    health.failure("m")
    assert health.unavailable() == frozenset()
    health.success("m")
    health.failure("m")
    assert health.unavailable() == frozenset()  # success reset the count
    health.failure("m")
    assert health.unavailable() == {"m"}
    now[0] = 9.9
    assert health.unavailable() == {"m"}
    now[0] = 10.1
    assert health.unavailable() == frozenset()
    health.failure("m")
    assert health.unavailable() == frozenset()  # the count started over after the cooldown


def test_health_rate_limit_with_retry_after_cools_at_once() -> None:
    now = [0.0]
    health = ModelHealth(cooldown_failures=5, cooldown_seconds=60, clock=lambda: now[0])
    health.failure("m", retry_after=3, rate_limited=True)
    assert health.unavailable() == {"m"}
    now[0] = 3.5
    assert health.unavailable() == frozenset()


async def test_auth_cache_expires_so_revocation_takes_effect() -> None:
    store = MemoryStore()
    info, secret = await store.create_key("p")
    now = [0.0]
    auth = Authenticator(store, ServerSettings(), ttl=5.0, clock=lambda: now[0])
    caller = await auth.authenticate({"authorization": f"Bearer {secret}"})
    assert (caller.project, caller.key_id) == ("p", info.id)
    await store.revoke_key(info.id)
    now[0] = 4.0
    assert (await auth.authenticate({"x-api-key": secret})).project == "p"  # cached
    now[0] = 5.5
    with pytest.raises(GatewayError) as err:
        await auth.authenticate({"x-api-key": secret})
    assert err.value.status == 401


async def test_admin_key_reads_every_project() -> None:
    auth = Authenticator(MemoryStore(), ServerSettings(admin_key="br-admin-secret"))
    caller = await auth.authenticate({"authorization": "Bearer br-admin-secret"})
    assert caller.admin and caller.can_read("anything")
    assert caller.routing_project == "default"


CATALOG = Catalog(
    [
        ModelInfo(id="p/big", provider="p", upstream_id="big"),
        ModelInfo(id="p/small", provider="p", upstream_id="small"),
        ModelInfo(id="ollama/qwen", provider="ollama", upstream_id="qwen", local=True),
    ]
)


def _route(model: str, tiers: TierSettings, project: ProjectSettings | None = None, **ctx: object) -> object:
    request = ChatRequest(model=model, messages=[Message("user", [TextPart("x")])])
    return StaticRouter(CATALOG, tiers).route(request, project or ProjectSettings(), RouteContext(**ctx))  # type: ignore[arg-type]


def test_static_manual_and_default() -> None:
    tiers = TierSettings(balanced={"chat": "p/small"}, default="p/big")
    d = _route("p/big", tiers)
    assert (d.model, d.tier, d.reason, d.fallbacks) == ("p/big", "manual", "manual", ())  # type: ignore[attr-defined]
    for alias, tier in [
        ("auto", "auto/efficient"),
        ("kilo/auto", "auto/balanced"),
        ("kilo-auto/free", "auto/free"),
    ]:
        d = _route(alias, tiers)
        assert (d.model, d.tier, d.reason) == ("p/small", tier, "default")  # type: ignore[attr-defined]
        assert d.fallbacks == ("p/big", "ollama/qwen")  # type: ignore[attr-defined]
    d = _route("auto", tiers, unavailable=frozenset({"p/small"}))
    assert (d.model, d.fallbacks) == ("p/big", ("ollama/qwen", "p/small"))  # type: ignore[attr-defined]
    d = _route("auto", TierSettings())
    assert d.model == "ollama/qwen"  # type: ignore[attr-defined]


def test_static_errors() -> None:
    tiers = TierSettings(default="p/big")
    with pytest.raises(ModelNotFound, match="/v1/models"):
        _route("p/nope", tiers)
    with pytest.raises(ModelNotFound):
        _route("auto/bogus", tiers)
    with pytest.raises(ModelNotAllowed):
        _route("p/big", tiers, ProjectSettings(allowed_models=["p/s*"]))
    d = _route("auto", tiers, ProjectSettings(allowed_models=["p/s*", "ollama/*"]))
    assert d.model == "ollama/qwen"  # type: ignore[attr-defined]
    with pytest.raises(NoModelConfigured):
        StaticRouter(Catalog([]), TierSettings()).route(
            ChatRequest(model="auto", messages=[]), ProjectSettings(), RouteContext()
        )


async def test_ttl_cache_single_flight_and_expiry() -> None:
    import asyncio

    from benchroute.gateway.cache import TTLCache

    now = [0.0]
    loads: list[str] = []
    cache: TTLCache[str, str] = TTLCache(5.0, clock=lambda: now[0])

    async def load() -> str:
        loads.append("x")
        await asyncio.sleep(0.01)
        return f"v{len(loads)}"

    assert await asyncio.gather(*(cache.get("k", load) for _ in range(50))) == ["v1"] * 50
    assert len(loads) == 1  # one lookup for 50 concurrent misses
    now[0] = 4.9
    assert await cache.get("k", load) == "v1"
    now[0] = 5.1
    assert await cache.get("k", load) == "v2"

    async def fail() -> str:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        await cache.get("bad", fail)
    assert await cache.get("bad", load) == "v3"  # failures are not cached


def test_decision_dict_matches_to_dict() -> None:
    from benchroute.gateway.records import decision_dict
    from benchroute.routing.decision import Candidate, Decision

    d = Decision(
        model="a",
        tier="auto/efficient",
        reason="cheapest_above_bar",
        cells={"edit:easy": 0.7, "debug:hard": 0.3},
        confidence=0.8,
        candidates=(
            Candidate("a", 0.9, 0.01),
            Candidate("b", None, None, eligible=False, note="no_evidence"),
        ),
        fallbacks=("b", "c"),
        frontier_cost=0.2,
    )
    expected = d.to_dict()
    expected["fallbacks"] = list(expected["fallbacks"])
    expected["candidates"] = list(expected["candidates"])
    assert decision_dict(d) == expected


def test_the_usage_record_is_built_once_unless_what_it_reports_changed() -> None:
    from benchroute.gateway.usage import RequestLog
    from benchroute.wire.canonical import RequestContext

    rlog = RequestLog("default", RequestContext(api_kind="chat"))
    rlog.served_by(ModelInfo(id="p/m", provider="p", upstream_id="m", input_price=1.0, output_price=2.0))
    ahead = rlog.record()  # the write-ahead copy at the last byte
    assert rlog.record() is ahead  # the writer gets the same record
    rlog.usage.completion_tokens = 7  # tokens counted after the last byte
    counted = rlog.record()
    assert counted is not ahead and counted.completion_tokens == 7 and counted.id == ahead.id
    rlog.fail(499, "client disconnected during the stream")
    assert rlog.record().status == 499 and rlog.record().completion_tokens == 7


def test_request_ids_are_random_version_4_uuids_in_hex() -> None:
    import uuid

    from benchroute.gateway.usage import new_request_id

    ids = [new_request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(hex=value)
        assert parsed.hex == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_the_usage_record_carries_each_fact_in_its_own_field() -> None:
    """`RequestLog` builds the record by position (keywords cost CPython more than the record):
    every fact distinct here, so a field out of order shows."""
    from dataclasses import fields

    from benchroute.gateway.usage import RequestLog
    from benchroute.routing.decision import Decision
    from benchroute.wire.canonical import RequestContext, Usage

    ctx = RequestContext(
        api_kind="messages", mode="code", task_id="t1", parent_task_id="t0", editor_name="ed",
        machine_id="mc", user_agent="ua/1", client_name="cn", client_version="cv", project="proj",
        key_id="k1",
    )  # fmt: skip
    rlog = RequestLog("proj", ctx)
    rlog.requested_model, rlog.session, rlog.stream, rlog.ttft = "asked", "sk", True, 4.5
    rlog.decision = Decision(
        model="p/d",
        tier="auto/efficient",
        reason="balanced",
        id="dec",
        frontier_cost=0.5,
        frontier_unfit="tools",
    )
    rlog.served_by(ModelInfo(id="p/m", provider="prov", upstream_id="m", input_price=1.0, output_price=2.0))
    rlog.usage = Usage(prompt_tokens=11, completion_tokens=22, cached_tokens=3)
    rlog.fail(502, "boom")
    record = rlog.record()
    got = {f.name: getattr(record, f.name) for f in fields(record)}
    assert abs(got.pop("time").timestamp() - rlog.started_wall) < 1e-5
    assert got.pop("latency_ms") >= 0
    assert got.pop("cost_usd") > 0
    assert got == {
        "id": rlog.request_id, "project": "proj", "key_id": "k1", "session_key": "sk", "client_name": "cn",
        "client_version": "cv", "api_kind": "messages", "requested_model": "asked", "tier": "auto/efficient",
        "routed_model": "p/m", "provider": "prov", "prompt_tokens": 11, "completion_tokens": 22,
        "cached_tokens": 3, "ttft_ms": 4.5, "status": 502, "error": "boom", "decision_id": "dec",
        "stream": True, "mode": "code", "task_id": "t1", "parent_task_id": "t0", "editor_name": "ed",
        "machine_id": "mc", "user_agent": "ua/1", "frontier_cost_usd": 0.5, "frontier_unfit": "tools",
    }  # fmt: skip
