"""Two gateway processes sharing PostgreSQL and Redis behind the scripted upstream: usage counted
once, limits and budgets shared, cooldowns shared, and the gateway keeps serving through Redis and
PostgreSQL outages (cut with TCP proxies) and a SIGKILL under load loses no acknowledged record."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

import aiohttp
import orjson
import pytest
import pytest_asyncio
from reliability_harness import (
    PG_HOST,
    PG_PORT,
    REDIS_HOST,
    REDIS_PORT,
    Gateway,
    TcpProxy,
    chat,
    create_database,
    drop_database,
    drop_redis_keys,
    gateway_config,
    prepare_store,
    redis_keys,
    redis_sum,
    usage_ids,
)

from support.poll import eventually
from support.upstream import Script, ScriptedUpstream

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.timeout(240),
]

RUN = uuid.uuid4().hex[:8]  # Redis keeps counters between runs: fresh project names each run
NAMES = {n: f"{n}-{RUN}" for n in ("counted", "budget", "rpm", "outage", "load", "session")}
PROJECTS = {
    "default": {},
    NAMES["counted"]: {},
    NAMES["budget"]: {"daily_budget_usd": 0.001, "budget_warn_share": 0.5},
    NAMES["rpm"]: {"requests_per_minute": 3},
    NAMES["outage"]: {"requests_per_minute": 1000},
    NAMES["load"]: {},
    NAMES["session"]: {},
}


@dataclass
class Cluster:
    a: Gateway
    b: Gateway
    keys: dict[str, str]
    store_url: str
    upstream: ScriptedUpstream
    pg: TcpProxy
    redis: TcpProxy
    session: aiohttp.ClientSession


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    tmp = tmp_path_factory.mktemp("replicas")
    db = await create_database()
    pg, redis = TcpProxy(PG_HOST, PG_PORT), TcpProxy(REDIS_HOST, REDIS_PORT)
    await pg.restore()
    await redis.restore()
    store_url = f"postgresql://postgres@127.0.0.1:{pg.port}/{db}"
    upstream = ScriptedUpstream()
    await upstream.start()
    gateways: list[Gateway] = []
    try:
        keys = await prepare_store(store_url, list(PROJECTS))
        config = gateway_config(
            tmp / "gateway.toml",
            upstream_url=upstream.openai_base_url,
            store_url=store_url,
            redis_url=f"redis://127.0.0.1:{redis.port}/0",
            projects=PROJECTS,
        )
        gateways = [Gateway(config, tmp / "a", "a"), Gateway(config, tmp / "b", "b")]
        await asyncio.gather(*(g.start() for g in gateways))
        async with aiohttp.ClientSession() as session:
            yield Cluster(gateways[0], gateways[1], keys, store_url, upstream, pg, redis, session)
    finally:
        for g in gateways:
            await g.stop()
        await upstream.stop()
        await redis.cut()
        await pg.cut()
        await drop_redis_keys(f"*-{RUN}:*")
        await drop_database(db)


async def _settled(store_url: str, project: str, expected: int, within: float = 10.0) -> list[str]:
    """The project's usage ids once there are `expected` of them (or whatever is there at the end)."""
    deadline = time.monotonic() + within
    ids = await usage_ids(store_url, project)
    while len(ids) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        ids = await usage_ids(store_url, project)
    return ids


async def _spent(project: str, micro_usd: int) -> None:
    """Wait until the shared daily spend of `project` reaches `micro_usd` (counted after responses)."""

    async def reached() -> bool:
        return await redis_sum(f"benchroute:limit:project:{project}:day:*") >= micro_usd

    await eventually(reached, what=f"{micro_usd} micro-USD of {project}'s spend counted in Redis")


async def _has(cooldown: Awaitable[dict[str, object]], model: str) -> bool:
    return model in await cooldown


async def _lacks(cooldown: Awaitable[dict[str, object]], model: str) -> bool:
    return model not in await cooldown


def _clear_of_minute_end(margin: float = 6.0) -> float:
    """Seconds to wait so a test of per-minute limits does not straddle a minute boundary."""
    left = 60 - time.time() % 60
    return left + 0.2 if left < margin else 0.0


async def test_usage_is_counted_once_across_replicas(cluster: Cluster) -> None:
    key = cluster.keys[NAMES["counted"]]
    status_a, headers_a, _ = await chat(cluster.session, cluster.a.url, key)
    status_b, headers_b, _ = await chat(cluster.session, cluster.b.url, key, stream=True)
    assert (status_a, status_b) == (200, 200)
    await _settled(cluster.store_url, NAMES["counted"], 2)
    auth = {"authorization": f"Bearer {key}"}
    for gateway in (cluster.a, cluster.b):  # /v1/usage flushes the replica's writer before it reads
        async with cluster.session.get(gateway.url + "/v1/usage", headers=auth) as r:
            assert r.status == 200
    # both writers are drained: nothing else can turn up (no double write, no replay duplicate)
    ids = await usage_ids(cluster.store_url, NAMES["counted"])
    assert sorted(ids) == sorted(
        [headers_a["x-benchroute-decision-id"], headers_b["x-benchroute-decision-id"]]
    )


async def test_a_session_started_on_one_replica_continues_on_the_other(cluster: Cluster) -> None:
    key = cluster.keys[NAMES["session"]]
    session = {"x-session-id": f"conv-{RUN}"}
    status_a, headers_a, _ = await chat(cluster.session, cluster.a.url, key, model="auto", headers=session)
    assert status_a == 200
    model = headers_a["x-benchroute-model"]
    hdrs = {"authorization": f"Bearer {key}"}
    # the state written by replica a is what replica b reads (Redis), before b routes anything
    async with cluster.session.get(f"{cluster.b.url}/v1/sessions/conv-{RUN}", headers=hdrs) as r:
        assert r.status == 200, await r.text()
        seen = orjson.loads(await r.read())
    assert (seen["model"], seen["turns"]) == (model, 1)
    text = "and now the follow-up question"
    status_b, headers_b, _ = await chat(
        cluster.session, cluster.b.url, key, model="auto", text=text, headers=session
    )
    assert status_b == 200 and headers_b["x-benchroute-model"] == model
    decision_b = headers_b["x-benchroute-decision-id"]
    deadline = time.monotonic() + 10
    while True:  # b's decision record reaches the shared store through b's batched writer
        async with cluster.session.get(f"{cluster.a.url}/v1/sessions/conv-{RUN}", headers=hdrs) as r:
            state = orjson.loads(await r.read())
        decisions = {d["id"]: d["decision"] for d in state["decisions"]}
        if decision_b in decisions or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert (state["model"], state["turns"], state["switches"]) == (model, 2, 0)
    assert [h["action"] for h in state["history"]] == ["new", "stay"]
    assert decisions[decision_b]["session_action"] == "stay"
    assert decisions[headers_a["x-benchroute-decision-id"]]["session_action"] == "new"


async def test_budget_reached_through_one_replica_is_enforced_by_the_other(cluster: Cluster) -> None:
    key = cluster.keys[NAMES["budget"]]
    # 100 prompt + 100 completion tokens on up/small = 0.0005 USD; the daily budget is 0.001 USD.
    cluster.upstream.add(*(Script(text="ok", prompt_tokens=100, completion_tokens=100) for _ in range(2)))
    status, headers, _ = await chat(cluster.session, cluster.a.url, key)
    assert status == 200 and "x-benchroute-budget-warning" not in headers
    await _spent(NAMES["budget"], 500)  # spend is counted after the response
    status, headers, _ = await chat(cluster.session, cluster.b.url, key)
    assert status == 200
    assert "daily budget 50% used" in headers["x-benchroute-budget-warning"]  # soft threshold, on B
    await _spent(NAMES["budget"], 1000)
    for gateway in (cluster.a, cluster.b):
        status, headers, body = await chat(cluster.session, gateway.url, key)
        assert status == 429, body
        error = orjson.loads(body)["error"]
        assert error["code"] == "budget_exceeded" and error["type"] == "rate_limit_error"
        assert "daily_budget_usd" in error["message"] and error["param"] == "daily_budget_usd"
        assert f"project '{NAMES['budget']}'" in error["message"]
        assert int(headers["retry-after"]) > 0


async def test_requests_per_minute_are_shared_by_the_replicas(cluster: Cluster) -> None:
    await asyncio.sleep(_clear_of_minute_end())
    key = cluster.keys[NAMES["rpm"]]
    statuses = [(await chat(cluster.session, g.url, key))[0] for g in (cluster.a, cluster.b, cluster.a)]
    assert statuses == [200, 200, 200]
    status, headers, body = await chat(cluster.session, cluster.b.url, key)
    assert status == 429
    error = orjson.loads(body)["error"]
    assert error["code"] == "rate_limit_exceeded" and "requests_per_minute = 3" in error["message"]
    assert 1 <= int(headers["retry-after"]) <= 60


async def test_cooldown_started_by_one_replica_is_seen_by_the_other(cluster: Cluster) -> None:
    key = cluster.keys["default"]
    for _ in range(2):  # cooldown_failures = 2: the dead provider cools down on A
        status, _, _ = await chat(cluster.session, cluster.a.url, key, model="dead/model")
        assert status >= 500

    async def cooling_on_b() -> dict[str, object]:
        async with cluster.session.get(cluster.b.url + "/healthz") as r:
            cooldown: dict[str, object] = (await r.json())["cooldown"]
            return cooldown

    # B never called the dead model, yet skips it
    await eventually(lambda: _has(cooling_on_b(), "dead/model"), what="B sees A's cooldown")
    # cooldown_seconds = 3: it recovers everywhere
    await eventually(lambda: _lacks(cooling_on_b(), "dead/model"), what="the cooldown ends on B")
    status, _, _ = await chat(cluster.session, cluster.b.url, key)
    assert status == 200


async def test_requests_keep_being_served_while_redis_is_down(cluster: Cluster) -> None:
    key = cluster.keys[NAMES["outage"]]
    await cluster.redis.cut()
    try:
        for g in (cluster.a, cluster.b, cluster.a, cluster.b):
            status, _, body = await chat(cluster.session, g.url, key)
            assert status == 200, body
    finally:
        await cluster.redis.restore()
    logged = "Redis unavailable for limits"
    await eventually(lambda: logged in cluster.a.log() + cluster.b.log(), what="the outage is logged")

    async def counted_in_redis_again() -> bool:
        for g in (cluster.a, cluster.b):
            status, _, _ = await chat(cluster.session, g.url, key)
            assert status == 200
        return bool(await redis_keys(f"benchroute:limit:project:{NAMES['outage']}:rpm:*"))

    # nothing of this project reached Redis during the outage; the limiters try it again after a
    # second, and then count there again
    await eventually(counted_in_redis_again, what="the limiters count in Redis again")


async def test_postgres_briefly_down_loses_no_record(cluster: Cluster) -> None:
    key = cluster.keys[NAMES["outage"]]
    before = set(await usage_ids(cluster.store_url, NAMES["outage"]))
    await chat(cluster.session, cluster.a.url, key)  # the key is cached now
    await cluster.pg.cut()
    served: list[str] = []
    try:
        for _ in range(4):
            status, headers, body = await chat(cluster.session, cluster.a.url, key)
            assert status == 200, body
            served.append(headers["x-benchroute-decision-id"])
        # the writer retries, then fails over to the spill file
        await eventually(
            lambda: "usage write of" in cluster.a.log() and "spilled" in cluster.a.log(),
            within=30,
            what="the writer spills while PostgreSQL is down",
        )
    finally:
        await cluster.pg.restore()
    await cluster.a.stop()  # graceful stop, then start: the spill file is replayed
    await cluster.a.start()
    ids = set(await _settled(cluster.store_url, NAMES["outage"], len(before) + 5))
    assert set(served) <= ids


async def test_sigkill_under_load_loses_no_acknowledged_record(cluster: Cluster) -> None:
    key = cluster.keys[NAMES["load"]]
    acknowledged: list[str] = []
    stop = asyncio.Event()

    async def client(i: int) -> None:
        while not stop.is_set():
            try:
                status, headers, _ = await chat(
                    cluster.session, cluster.a.url, key, stream=i % 2 == 0, text=f"load {i}"
                )
            except (aiohttp.ClientError, OSError):
                await asyncio.sleep(0.01)
                continue
            if status == 200:
                acknowledged.append(headers["x-benchroute-decision-id"])

    clients = [asyncio.ensure_future(client(i)) for i in range(16)]
    await eventually(lambda: len(acknowledged) > 50, within=60, what="50 requests acknowledged under load")
    await cluster.a.stop(signal.SIGKILL)
    stop.set()
    await asyncio.gather(*clients)
    await cluster.a.start()  # replays the write-ahead file
    ids = set(await _settled(cluster.store_url, NAMES["load"], len(acknowledged)))
    missing = [i for i in acknowledged if i not in ids]
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged records lost"


async def test_sigterm_lets_a_running_stream_finish_and_keeps_its_record(cluster: Cluster) -> None:
    key = cluster.keys[NAMES["load"]]
    before = set(await usage_ids(cluster.store_url, NAMES["load"]))
    cluster.upstream.add(Script(text="a slow answer in ten parts", chunks=10, chunk_delay_ms=150))
    seen = len(cluster.upstream.requests)
    stream = asyncio.ensure_future(chat(cluster.session, cluster.a.url, key, stream=True))
    # the stream is under way: the upstream has the request, and takes 1.5 s to answer it
    await eventually(lambda: len(cluster.upstream.requests) > seen, what="the upstream gets the request")
    assert not stream.done()
    code = await cluster.a.stop(signal.SIGTERM)  # graceful: drain, then flush
    status, headers, body = await stream
    assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after its graceful shutdown
    assert status == 200 and body.rstrip().endswith(b"data: [DONE]")
    ids = set(await usage_ids(cluster.store_url, NAMES["load"]))  # flushed before the exit
    assert headers["x-benchroute-decision-id"] in ids - before
    await cluster.a.start()
