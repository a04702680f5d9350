"""The small endpoints: models, health, usage, decisions and sessions (each caller sees only its
project)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from benchroute import __version__
from benchroute.gateway import callables
from benchroute.gateway.auth import Caller
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.headers import header_dict
from benchroute.gateway.state import GatewayState
from benchroute.providers.readiness import ProviderReadiness
from benchroute.routing.static import AUTO_TIERS, is_allowed
from benchroute.savings import FrontierPricer, usage_with_savings

log = logging.getLogger(__name__)

USAGE_GROUPS = frozenset({"model", "day", "hour", "project", "session", "tier", "client", "mode"})


def json_response(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data, default=str), status_code=status, media_type="application/json")


async def _caller(request: Request) -> tuple[GatewayState, Caller]:
    state: GatewayState = request.app.state.gateway
    return state, await state.auth.authenticate(header_dict(request.scope["headers"]))


def _scope(caller: Caller, request: Request) -> str | None:
    """The project a query may read: the caller's own; an admin may name one or read all."""
    if caller.admin:
        return request.query_params.get("project") or None
    return caller.project


def _limit(request: Request) -> int:
    """The `limit` query parameter of a list: 1 to 1000, 100 when absent."""
    raw = request.query_params.get("limit") or "100"
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise GatewayError(400, "limit must be an integer from 1 to 1000", param="limit")
    return int(raw)


async def _flush(state: GatewayState) -> None:
    # Reads right after a request should see it: let the writer catch up first.
    await state.writer.flush()


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise GatewayError(
            400, f"{name} must be an ISO date or date-time, not {value!r}", param=name
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def models(request: Request) -> Response:
    """The tiers and the catalog models this project may use that the gateway can call here;
    `?all=true` adds the others, marked `"callable": false` with the reason (never a key)."""
    try:
        state, caller = await _caller(request)
    except GatewayError as exc:
        return exc.response()
    allowed = (await state.project(caller.routing_project)).allowed_models
    show_all = request.query_params.get("all", "").lower() in ("1", "true", "yes")
    ready = await callables.by_model(state, caller.routing_project)
    created = int(state.started)
    usable = [m for m in state.catalog if is_allowed(m.id, allowed) and _ready(ready, m.id)]
    data: list[dict[str, Any]] = []
    for t in AUTO_TIERS:
        entry: dict[str, Any] = {"id": t, "object": "model", "created": created, "owned_by": "benchroute"}
        context = callables.tier_context(state, t, usable)
        if context is not None:  # what the tier can serve: the largest window it may route to
            entry["context_length"] = context
        data.append(entry)
    for info in state.catalog:
        r = ready.get(info.id)
        ok = r is None or r.ready
        if is_allowed(info.id, allowed) and (ok or show_all):
            entry = {"id": info.id, "object": "model", "created": created}
            entry.update(owned_by=info.provider, callable=ok, context_length=info.context)
            if not ok and r is not None:
                entry["not_callable_because"] = r.why
            data.append(entry)
    return json_response({"object": "list", "data": data})


def _ready(ready: Mapping[str, ProviderReadiness], model: str) -> bool:
    r = ready.get(model)
    return r is None or r.ready


async def healthz(request: Request) -> Response:
    state: GatewayState = request.app.state.gateway
    writer = dataclasses.asdict(state.writer.stats)
    return json_response(
        {
            "status": "ok",
            "version": __version__,
            "uptime_s": round(time.time() - state.started, 1),
            "writer": writer,
            "providers": sorted(state.providers),
            "models": len(state.catalog),
            "in_flight": state.inflight.count,
            "cooldown": state.health.snapshot(),
        }
    )


USAGE_PARAMS = ("group_by", "since", "until", "project")


def _check_params(request: Request, accepted: tuple[str, ...]) -> None:
    """400 for a query parameter the endpoint does not read: ignoring it would answer another
    question than the one asked (`?by=mode` got the default grouping)."""
    unknown = sorted(set(request.query_params) - set(accepted))
    if unknown:
        raise GatewayError(
            400,
            f"unknown query parameter {', '.join(unknown)}: accepted are {', '.join(accepted)}",
            param=unknown[0],
        )


def _usage_scope(caller: Caller, request: Request) -> str | None:
    """`_scope`, refusing a project key's `?project=` naming another project (it reads only its own):
    answering with its own project's figures under another name would mislead."""
    named = request.query_params.get("project")
    if named and not caller.admin and named != caller.project:
        raise GatewayError(
            403,
            f"this key reads only project {caller.project!r}; an admin key may read {named!r}",
            param="project",
            code="project_not_allowed",
        )
    return _scope(caller, request)


async def usage(request: Request) -> Response:
    try:
        state, caller = await _caller(request)
        _check_params(request, USAGE_PARAMS)
        scope = _usage_scope(caller, request)
        params = request.query_params
        group_by = [g.strip() for g in (params.get("group_by") or "model").split(",") if g.strip()]
        unknown = [g for g in group_by if g not in USAGE_GROUPS]
        if unknown:
            raise GatewayError(
                400,
                f"unknown group_by {', '.join(unknown)}: use any of {', '.join(sorted(USAGE_GROUPS))}",
                param="group_by",
            )
        since, until = _when(params.get("since"), "since"), _when(params.get("until"), "until")
    except GatewayError as exc:
        return exc.response()
    await _flush(state)
    # Usage and savings against always-Frontier per group: one computation (benchroute.savings).
    pricer = FrontierPricer(state.catalog, state.settings.tiers)
    tallies = await usage_with_savings(
        state.store, pricer, project=scope, group_by=group_by, since=since, until=until
    )
    data = [{"group": dict(zip(group_by, k, strict=True)), **t.to_dict()} for k, t in tallies.items()]
    return json_response(
        {"object": "list", "group_by": group_by, "frontier": pricer.describe(), "data": data}
    )


async def decision(request: Request) -> Response:
    try:
        state, caller = await _caller(request)
    except GatewayError as exc:
        return exc.response()
    await _flush(state)
    decision_id = request.path_params["decision_id"]
    record = await state.store.get_decision(decision_id, project=_scope(caller, request))
    if record is None:
        return GatewayError(404, f"no decision {decision_id!r} in this project", code="not_found").response()
    return json_response(dataclasses.asdict(record))


async def decisions(request: Request) -> Response:
    try:
        state, caller = await _caller(request)
        limit = _limit(request)
    except GatewayError as exc:
        return exc.response()
    await _flush(state)
    records = await state.store.list_decisions(
        project=_scope(caller, request), session_key=request.query_params.get("session"), limit=limit
    )
    return json_response({"object": "list", "data": [dataclasses.asdict(r) for r in records]})


async def session(request: Request) -> Response:
    """A session's state (model, tier, turns, switches, history) and its recorded decisions, newest
    first. The caller's project only; an admin key may name another with `?project=`."""
    try:
        state, caller = await _caller(request)
        limit = _limit(request)
    except GatewayError as exc:
        return exc.response()
    key = request.path_params["key"]
    project = (caller.admin and request.query_params.get("project")) or caller.routing_project
    try:
        found = await state.sessions.store.get(project, key) if state.sessions is not None else None
    except Exception:  # the store's own I/O error (Redis down, SQL unreachable): say so, not a 500
        log.warning("session store failed reading session %r", key, exc_info=True)
        return GatewayError(
            503,
            "the session store is unavailable; try again shortly",
            code="session_store_unavailable",
            headers={"Retry-After": "1"},
        ).response()
    if found is None:
        return GatewayError(404, "no such session in this project", code="not_found").response()
    await _flush(state)
    records = await state.store.list_decisions(project=project, session_key=key, limit=limit)
    return json_response(
        {"object": "session", **found.to_dict(), "decisions": [dataclasses.asdict(r) for r in records]}
    )


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's 404/405 in the OpenAI error shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    message = f"{request.method} {request.url.path}: {detail}"
    return GatewayError(status, message, code="not_found" if status == 404 else None).response()
