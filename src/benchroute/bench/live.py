"""The live leaderboard: the public pages and the refresh that keeps the router on the current
bench results (`benchroute.app` mounts the routes on the gateway and starts `start_leaderboard`).

  GET  /leaderboard            the static HTML page (bench/publish) of the current snapshot; no auth
  GET  /v1/leaderboard         the current snapshot as JSON (`?model=`, `?cell=` filters); no auth
  POST /v1/leaderboard/refresh re-read the bench results now (admin key; anyone when auth is off)

The current snapshot is the store's bench results merged over the snapshot the router started with
(`bench/refresh.py`). It is re-checked every `REFRESH_SECONDS` and rebuilt only when the
results changed; a rebuilt snapshot is swapped into the router in one assignment
(`state.engine = engine.with_snapshot(...)`), so a request in flight keeps the engine it started
with and the next one routes on the new evidence. The static router has no snapshot: then the
leaderboard endpoints still show the current snapshot, and nothing is swapped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from benchroute.bench.publish import to_html
from benchroute.bench.refresh import LeaderboardSource, base_snapshot
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.headers import header_dict
from benchroute.gateway.routes import json_response
from benchroute.gateway.state import GatewayState
from benchroute.leaderboard.snapshot import CellStats, Snapshot
from benchroute.routing.base import ProjectSnapshotEngine, RoutingTableEngine, SnapshotEngine
from benchroute.routing.taxonomy import ALL_CELLS, TASK_TYPES

log = logging.getLogger(__name__)

REFRESH_SECONDS = 60.0


def engine_snapshot(state: GatewayState) -> Snapshot | None:
    return state.engine.snapshot if isinstance(state.engine, SnapshotEngine) else None


def swap_snapshot(
    state: GatewayState, snapshot: Snapshot, projects: Mapping[str, Snapshot] | None = None
) -> bool:
    """Put `snapshot` (and the projects' own snapshots, their pool results included) into the
    router (one assignment, no await in between: atomic for requests). False when the engine
    routes on no snapshot (the static router)."""
    engine = state.engine
    if not isinstance(engine, SnapshotEngine):
        return False
    swapped = engine.with_snapshot(snapshot)
    if projects is not None and isinstance(swapped, ProjectSnapshotEngine):
        swapped = swapped.with_project_snapshots(projects)
    state.engine = swapped
    return True


async def refresh_once(state: GatewayState, source: LeaderboardSource, *, force: bool = False) -> bool:
    """Refresh the source; when the snapshot was rebuilt, swap it into the router. True if rebuilt."""
    if not await source.refresh(force=force):
        return False
    swapped = swap_snapshot(state, source.snapshot, source.project_snapshots)
    log.info(
        "leaderboard refreshed: %d bench results, %d cells%s",
        source.stamp.count if source.stamp else 0,
        len(source.snapshot.cells),
        "; router updated" if swapped else "",
    )
    return True


async def poll_leaderboard(
    state: GatewayState, source: LeaderboardSource, interval: float = REFRESH_SECONDS
) -> None:
    """Runs until cancelled: every `interval` seconds, refresh (a failure is logged and retried)."""
    while True:
        await asyncio.sleep(interval)
        try:
            await refresh_once(state, source)
        except Exception:
            log.exception("refreshing the leaderboard failed; keeping the current one")


async def start_leaderboard(
    app: Starlette, state: GatewayState, *, interval: float = REFRESH_SECONDS
) -> asyncio.Task[None]:
    """Build the source (its base: the router's snapshot, else the configured or shipped one), load
    the stored results once before serving, and start the periodic refresh (cancel the task to stop)."""
    source = LeaderboardSource(state.store, engine_snapshot(state) or base_snapshot(state.settings))
    app.state.leaderboard = source
    try:
        await refresh_once(state, source)
    except Exception:  # a store hiccup must not stop the gateway: serve the base, retry on the timer
        log.exception("reading bench results failed; serving the base leaderboard")
    return asyncio.create_task(poll_leaderboard(state, source, interval))


def _source(request: Request) -> LeaderboardSource:
    source: LeaderboardSource = request.app.state.leaderboard
    return source


def current(request: Request) -> Snapshot:
    """What the router routes on when it has a snapshot, else the source's."""
    return engine_snapshot(request.app.state.gateway) or _source(request).snapshot


def _values(request: Request, name: str) -> list[str]:
    raw = request.query_params.getlist(name)
    return [v.strip() for value in raw for v in value.split(",") if v.strip()]


def _cell_filter(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in ALL_CELLS and v not in TASK_TYPES]
    if unknown:
        raise GatewayError(
            400,
            f"unknown cell {', '.join(unknown)}: use 'task_type:difficulty' or a task type "
            f"({', '.join(TASK_TYPES)})",
            param="cell",
        )
    return values


def _matches(stats: CellStats, models: list[str], cells: list[str]) -> bool:
    if models and stats.model not in models:
        return False
    if cells and stats.cell not in cells and stats.cell.partition(":")[0] not in cells:
        return False
    return True


def cell_row(stats: CellStats) -> dict[str, Any]:
    """One cell as the API shows it: the snapshot's fields plus accuracy and the Wilson interval."""
    low, high = stats.wilson()
    row = dataclasses.asdict(stats)
    row["sources"] = list(stats.sources)
    row["accuracy"] = stats.accuracy
    row["wilson_low"] = low
    row["wilson_high"] = high
    return row


def leaderboard_body(
    snapshot: Snapshot, source: LeaderboardSource, models: list[str], cells: list[str]
) -> dict[str, Any]:
    rows = sorted((s for s in snapshot if _matches(s, models, cells)), key=lambda s: (s.model, s.cell))
    return {
        "object": "leaderboard",
        "format": "benchroute-leaderboard/1",
        "created": snapshot.created,
        "description": snapshot.description,
        "refreshed": source.refreshed.isoformat() if source.refreshed else None,
        "bench_results": source.stamp.to_dict() if source.stamp else None,
        "models": sorted({s.model for s in rows}),
        "cells": [cell_row(s) for s in rows],
    }


async def leaderboard_json(request: Request) -> Response:
    try:
        cells = _cell_filter(_values(request, "cell"))
    except GatewayError as exc:
        return exc.response()
    body = leaderboard_body(current(request), _source(request), _values(request, "model"), cells)
    return json_response(body)


async def leaderboard_page(request: Request) -> Response:
    engine = request.app.state.gateway.engine
    routes = engine.routing_table() if isinstance(engine, RoutingTableEngine) else None
    return HTMLResponse(to_html(current(request), routes=routes, agents=_source(request).agents))


async def refresh(request: Request) -> Response:
    state: GatewayState = request.app.state.gateway
    try:
        caller = await state.auth.authenticate(header_dict(request.scope["headers"]))
        if state.auth.enabled and not caller.admin:
            raise GatewayError(403, "refreshing the leaderboard needs an admin key", code="forbidden")
    except GatewayError as exc:
        return exc.response()
    source = _source(request)
    force = request.query_params.get("force", "").lower() in {"1", "true", "yes"}
    rebuilt = await refresh_once(state, source, force=force)
    return json_response(
        {
            "refreshed": rebuilt,
            "routing": engine_snapshot(state) is not None,
            "bench_results": source.stamp.to_dict() if source.stamp else None,
            "cells": len(current(request).cells),
        }
    )


def leaderboard_routes() -> list[Route]:
    return [
        Route("/leaderboard", leaderboard_page, methods=["GET"]),
        Route("/v1/leaderboard", leaderboard_json, methods=["GET"]),
        Route("/v1/leaderboard/refresh", refresh, methods=["POST"]),
    ]
