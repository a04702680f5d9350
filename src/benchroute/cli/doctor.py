"""`benchroute doctor`: what this machine's gateway could call and use, without starting it.

Checks provider keys (never printed: set / not set / holds a gateway key), local model servers,
the store, Redis, the leaderboard, the classifier and, per tier, whether `auto` can route.
Exits 1 when the project's `auto` tier cannot route, or the store or a configured Redis cannot be
reached; else 0.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click
import orjson

from benchroute.cli.context import load_settings, run
from benchroute.settings import Settings


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = False  # a failure here makes the exit status non-zero


def _redacted(url: str) -> str:
    """A URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


async def _store(settings: Settings) -> Check:
    from benchroute.store.factory import open_store

    where = _redacted(settings.store_url)
    try:
        store = open_store(settings)
        await store.start()
        try:
            keys = await store.list_keys()
        finally:
            await store.close()
    except Exception as exc:
        return Check("store", False, f"{where}: {type(exc).__name__}: {exc}", required=True)
    return Check("store", True, f"{where} ({len(keys)} gateway keys)", required=True)


async def _redis(settings: Settings) -> Check:
    url = settings.store.redis_url
    if not url:
        return Check("redis", True, "not configured (limits and sessions in memory: one gateway)")
    try:
        from benchroute.redisconn import connect

        client = connect(url)
        try:
            await client.ping()
        finally:
            await client.aclose()
    except Exception as exc:
        return Check("redis", False, f"{_redacted(url)}: {type(exc).__name__}: {exc}", required=True)
    return Check("redis", True, f"{_redacted(url)} answers")


async def _local(settings: Settings) -> tuple[Check, list[Any]]:
    if not settings.server.discover_local:
        return Check("local servers", True, "discovery off (server.discover_local = false)"), []
    from benchroute.providers.discovery import discover_local
    from benchroute.providers.http import create_session

    session = create_session(connect_timeout=1.0, read_timeout=2.0)
    try:
        found = await discover_local(session)
    finally:
        await session.close()
    if not found:
        return Check("local servers", True, "none found on 127.0.0.1:11434 (Ollama), :1234 (LM Studio)"), []
    shown = "; ".join(f"{s.name} at {s.base_url}: {len(s.models)} models" for s in found)
    return Check("local servers", True, shown), found


def _leaderboard(settings: Settings) -> Check:
    from benchroute.leaderboard.loader import load_default_snapshot, load_snapshot

    where = settings.leaderboard or "shipped"
    try:
        snap = load_snapshot(settings.leaderboard) if settings.leaderboard else load_default_snapshot()
    except Exception as exc:
        return Check("leaderboard", False, f"{where}: {exc}")
    return Check("leaderboard", True, f"{where}: {len(snap.models())} models")


def _classifier(settings: Settings) -> Check:
    from benchroute.routing.factory import load_classifier

    try:
        load_classifier(settings)
    except Exception as exc:
        return Check("classifier", False, str(exc))
    return Check("classifier", True, settings.classifier or "shipped")


def gather(settings: Settings, project: str) -> list[Check]:
    from benchroute.catalog.loader import load_catalog
    from benchroute.cli.readiness import tier_statuses
    from benchroute.gateway.app import build_engine
    from benchroute.providers.readiness import provider_readiness

    local, found = run(_local(settings))
    readiness = provider_readiness(settings, found)
    checks = [Check(f"key {r.name}", r.ready, r.why) for r in readiness.values() if r.env_var or r.ready]
    checks += [local, run(_store(settings)), run(_redis(settings))]
    checks += [_leaderboard(settings), _classifier(settings)]
    catalog = load_catalog(settings, discovered=found)
    engine = build_engine(settings, catalog)
    checks.append(Check("engine", type(engine).__name__ == "Router", type(engine).__name__))
    wanted = settings.project(project).tier
    for s in tier_statuses(settings, catalog, engine, readiness, project):
        needs = ", ".join(s.missing[:4]) + (", …" if len(s.missing) > 4 else "")
        detail = (
            f"{len(s.callable)} callable; a sample request goes to {s.sample}"
            if s.ok
            else f"no callable model: set one of {needs or 'a provider key'}, or start a local model server"
        )
        checks.append(Check(s.tier, s.ok, detail, required=s.tier == wanted))
    return checks


@click.command("doctor")
@click.option("--project", default="default", show_default=True, help="Project whose `auto` tier to check.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.pass_context
def doctor(ctx: click.Context, project: str, as_json: bool) -> None:
    """Check keys, local servers, store, Redis, leaderboard, classifier and routing."""
    settings = load_settings(ctx)
    checks = gather(settings, project)
    failed = [c for c in checks if c.required and not c.ok]
    if as_json:
        out = {"ok": not failed, "checks": [asdict(c) for c in checks]}
        sys.stdout.write(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for c in checks:
            click.echo(f"{'ok ' if c.ok else 'NO '} {c.name:<16} {c.detail}")
        tier = settings.project(project).tier
        routes = not any(c.name == tier for c in failed)
        verdict = "can route" if routes else "cannot route here"
        click.echo(f"\n`auto` ({tier}) {verdict}.")
        if failed:
            click.echo(f"Not ready: {', '.join(c.name for c in failed)}.")
    if failed:
        ctx.exit(1)
