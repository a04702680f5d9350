"""The session layer's own cost per request, as the gateway calls it: key the request (a hash of
the conversation when the client sends no session id), route it with the static engine inside the
session's atomic update, apply the session rules, record the new state (in-memory store). Prints
microseconds per request; the same script runs against any tree (`PYTHONPATH=<tree>/src`), so it
compares branches.

    python benchmarks/overhead/sessions.py [--n 20000] [--rounds 7] [--messages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import statistics
import time
from typing import Any

from benchroute.catalog.model import Catalog, ModelInfo
from benchroute.routing.base import RouteContext
from benchroute.routing.static import StaticRouter
from benchroute.sessions.keys import session_key
from benchroute.sessions.memory import MemorySessionStore
from benchroute.sessions.service import SessionRouter
from benchroute.settings import Settings
from benchroute.wire.canonical import RequestContext
from benchroute.wire.chat import parse_request

MODEL = ModelInfo(id="fake/a", provider="fa", upstream_id="a-up", input_price=1.0, output_price=2.0)
SYSTEM = "You are a careful coding assistant working in a Python repository. " * 20


def conversation(messages: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}]
    for i in range(messages):
        role = "user" if i % 2 == 0 else "assistant"
        out.append({"role": role, "content": f"turn {i}: please change the parser to accept tabs. " * 10})
    return out


async def run(args: argparse.Namespace) -> None:
    settings = Settings(server={"discover_local": False}, tiers={"default": "fake/a"})
    catalog = Catalog([MODEL])
    engine = StaticRouter(catalog, settings.tiers)
    router = SessionRouter(MemorySessionStore(), catalog=catalog)
    project = settings.project("default")
    context = RequestContext(api_kind="chat", project="default", key_id="k1")
    body = {"model": "auto", "messages": conversation(args.messages)}
    request = parse_request(body, context)
    takes_keys = "keys" in inspect.signature(router.route).parameters  # older trees: hashes twice

    async def one(i: int) -> None:
        keys = session_key(request)  # the gateway's own call (it logs the key)
        extra = {"keys": keys} if takes_keys else {}
        ctx = RouteContext()
        await router.route(engine, request, "default", project, ctx, decision_id=f"d{i}", **extra)

    for i in range(1000):
        await one(i)
    per_request: list[float] = []
    for _ in range(args.rounds):
        cpu = time.process_time()
        for i in range(args.n):
            await one(i)
        per_request.append((time.process_time() - cpu) / args.n)
    print(f"session layer, {args.messages} messages: {1e6 * statistics.median(per_request):.1f} us CPU "
          f"per request (median of {args.rounds} rounds; least {1e6 * min(per_request):.1f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--messages", type=int, default=20)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
