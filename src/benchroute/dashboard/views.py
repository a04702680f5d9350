"""The read-only pages: sign-in, projects, usage, decisions, one decision, the leaderboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from benchroute.bench.publish import to_html
from benchroute.dashboard.core import Dashboard, Visit
from benchroute.dashboard.login import new_session
from benchroute.dashboard.usage import (
    DEFAULT_RANGE,
    RANGES,
    Filters,
    bucket_labels,
    bucket_unit,
    build_view,
    keep_record,
    latency_series,
    since_for,
)
from benchroute.leaderboard.snapshot import Snapshot
from benchroute.routing.base import SnapshotEngine
from benchroute.savings import FrontierPricer, summary_groups, usage_with_savings

if TYPE_CHECKING:
    from benchroute.gateway.state import GatewayState

DECISIONS_SCANNED = 1000  # the newest decisions the search looks through
DECISIONS_SHOWN = 50  # one page
LATENCY_SCAN = 20000  # the newest requests of the range the latency percentiles are taken over

# What each reason code means, in one line (routing/decision.py lists the codes).
REASON_TEXT = {
    "manual": "the client asked for this model by name",
    "cheapest_above_bar": "the cheapest model whose lower end clears the bar",
    "best_accuracy": "the highest expected accuracy (dial at 1)",
    "low_confidence": "the classifier was unsure, so the Balanced model",
    "no_evidence": "no model has evidence for these cells, so the Balanced model",
    "frontier_reasoning": "Frontier tier: the strongest reasoning model for this mode",
    "frontier_implementation": "Frontier tier: the best implementation model for this mode",
    "balanced": "Balanced tier: the cost-effective model for this API",
    "free_pool": "Free tier: a free model, sticky per session",
    "client_version": "the client is older than the configured minimum, so one model for everything",
    "session_stay": "the session's model still clears the bar",
    "session_escalate": "the session's model no longer clears the bar: escalated",
    "session_downshift": "a cheaper model clears the bar and saves enough to switch",
    "session_tool_loop": "inside a tool loop the model never changes",
    "forced_by_failure": "the chosen model failed; the next candidate served it",
    "default": "the configured default (static routing, no benchmark evidence applied)",
}


class Pages:
    def __init__(self, dashboard: Dashboard) -> None:
        self.d = dashboard

    # ---- sign-in ---------------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        visit = await self.d.signed_in(request)
        if isinstance(visit, Response):
            return visit
        s = visit.session
        if not s.admin:
            assert s.project is not None
            return self.d.redirect(visit, f"/p/{_seg(s.project)}/usage")
        state = visit.state
        pricer = FrontierPricer(state.catalog, state.settings.tiers)
        tallies = await usage_with_savings(state.store, pricer, project=None, group_by=["project"])
        usage = {str(k[0]): t for k, t in tallies.items()}
        names = set(visit.state.settings.projects) | set(usage)
        names |= {k.project for k in await visit.state.store.list_keys() if k.project != "*"}
        return self.d.render(
            visit, "index.html", active="projects", projects=sorted(names), usage=usage, project=None
        )

    async def login(self, request: Request) -> Response:
        visit = await self.d.visit(request)
        if isinstance(visit, Response):
            return visit
        if request.method == "GET":
            if visit.session.signed_in:
                return self.d.redirect(visit, "/")
            return self.d.render(visit, "login.html", error=None, project=None)
        info = await visit.state.auth.verify(visit.form.get("key", "").strip())
        if info is None or info.revoked:
            return self.d.render(
                visit, "login.html", 401, error="That key is not valid (or was revoked).", project=None
            )
        admin = info.admin or info.project == "*"
        session = new_session(key_id=info.id, project=info.project, admin=admin)
        return self.d.redirect(visit, "/", session=session)

    async def logout(self, request: Request) -> Response:
        visit = await self.d.visit(request)
        if isinstance(visit, Response):
            return visit
        return self.d.redirect(visit, "/login", session=new_session())

    # ---- usage -----------------------------------------------------------------------------------

    async def usage(self, request: Request) -> Response:
        project = request.path_params["project"]
        visit = await self.d.project_visit(request, project)
        if isinstance(visit, Response):
            return visit
        q = request.query_params
        range_name = q.get("range", "")
        filters = Filters(
            range=range_name if range_name in RANGES else DEFAULT_RANGE,
            tier=q.get("tier", ""),
            client=q.get("client", ""),
            mode=q.get("mode", ""),
        )
        state = visit.state
        store, now = state.store, datetime.now(UTC)
        since = since_for(filters.range, now)
        await self.d.flush(state)
        unit = bucket_unit(filters.range)
        by_bucket = await store.usage_summary(
            project=project, group_by=summary_groups([unit, "model", "client"]), since=since
        )
        by_session = await store.usage_summary(
            project=project, group_by=summary_groups(["session", "client"]), since=since
        )
        first = min((str(r.group["day"]) for r in by_bucket), default=None) if unit == "day" else None
        labels = bucket_labels(filters.range, now, first)
        pricer = FrontierPricer(state.catalog, state.settings.tiers)
        view = build_view(by_bucket, by_session, filters, pricer, labels)
        records = await store.list_usage(project=project, limit=LATENCY_SCAN, since=since)
        view.latency = latency_series([r for r in records if keep_record(r, filters)], labels, unit)
        onboarding = None
        if view.total.requests == 0 and not await store.usage_summary(project=project, group_by=["project"]):
            onboarding = {"base_url": str(request.base_url).rstrip("/") + "/v1"}
        return self.d.render(
            visit,
            "usage.html",
            active="usage",
            project=project,
            view=view,
            filters=filters,
            ranges=list(RANGES),
            frontier=pricer.describe(),
            onboarding=onboarding,
            log_query=urlencode(filters.query(status="error")),
            chart_json=_json_for_script(view.chart_data()),
        )

    # ---- decisions -------------------------------------------------------------------------------

    async def decisions(self, request: Request) -> Response:
        project = request.path_params["project"]
        visit = await self.d.project_visit(request, project)
        if isinstance(visit, Response):
            return visit
        query = request.query_params.get("q", "").strip()
        session_key = request.query_params.get("session") or None
        page_param = request.query_params.get("page", "1")
        page = int(page_param) if page_param.isdigit() and int(page_param) > 0 else 1
        await self.d.flush(visit.state)
        records = await visit.state.store.list_decisions(
            project=project, session_key=session_key, limit=DECISIONS_SCANNED
        )
        words = query.lower().split()
        rows = [r for r in records if _matches(words, r.id, r.session_key, r.decision)]
        pages = max(1, -(-len(rows) // DECISIONS_SHOWN))
        page = min(page, pages)
        context: dict[str, Any] = {
            "project": project,
            "rows": rows[(page - 1) * DECISIONS_SHOWN : page * DECISIONS_SHOWN],
            "page": page,
            "pages": pages,
            "first": (page - 1) * DECISIONS_SHOWN + 1,
            "capped": len(records) >= DECISIONS_SCANNED,
            "matched": len(rows),
            "query": query,
            "session_key": session_key,
        }
        if self.d.wants_fragment(request):
            return self.d.render(visit, "_decision_rows.html", **context)
        return self.d.render(visit, "decisions.html", **context)

    async def decision(self, request: Request) -> Response:
        project = request.path_params["project"]
        visit = await self.d.project_visit(request, project)
        if isinstance(visit, Response):
            return visit
        await self.d.flush(visit.state)
        decision_id = request.path_params["decision_id"]
        record = await visit.state.store.get_decision(decision_id, project=project)
        if record is None:
            return self.d.error(visit, 404, "There is no such decision in this project.")
        served = await visit.state.store.list_usage(project=project, limit=1, id=decision_id)
        d = record.decision
        cells = sorted((d.get("cells") or {}).items(), key=lambda kv: -float(kv[1]))
        candidates = sorted(
            d.get("candidates") or [],
            key=lambda c: (
                c.get("model") != d.get("model"),
                not c.get("eligible", True),
                -(c.get("expected_accuracy") or -1.0),
            ),
        )
        project_settings = await self.d.projects(visit.state).get(project)
        return self.d.render(
            visit,
            "decision.html",
            project=project,
            record=record,
            usage=served[0] if served else None,
            d=d,
            cells=cells,
            candidates=candidates,
            min_confidence=project_settings.min_confidence,
            reason_text=REASON_TEXT.get(str(d.get("reason")), ""),
            chart_json=_json_for_script({"cells": [c for c, _ in cells], "probs": [p for _, p in cells]}),
        )

    # ---- leaderboard -----------------------------------------------------------------------------

    async def leaderboard(self, request: Request) -> Response:
        visit = await self.d.signed_in(request)
        if isinstance(visit, Response):
            return visit
        snapshot = snapshot_of(visit.state)
        cells = snapshot.cell_ids()
        rows = leaderboard_rows(snapshot)
        return self.d.render(
            visit,
            "leaderboard.html",
            active="leaderboard",
            project=None,
            snapshot=snapshot,
            cells=cells,
            rows=rows,
            routes=routing_table_of(visit.state),
            agents=await agents_of(visit.state),
        )

    async def leaderboard_static(self, request: Request) -> Response:
        """The leaderboard as one self-contained HTML page, to publish anywhere (bench/publish.py)."""
        visit = await self.d.signed_in(request)
        if isinstance(visit, Response):
            return visit
        response = HTMLResponse(
            to_html(
                snapshot_of(visit.state),
                routes=routing_table_of(visit.state),
                agents=await agents_of(visit.state),
            ),
            headers={"content-disposition": 'attachment; filename="leaderboard.html"'},
        )
        return self.d.finish(visit, response)


def snapshot_of(state: GatewayState) -> Snapshot:
    """The snapshot the engine routes on, else the configured one, else the shipped one."""
    if isinstance(state.engine, SnapshotEngine):
        return state.engine.snapshot
    from benchroute.leaderboard.loader import load_default_snapshot, load_snapshot

    path = state.settings.leaderboard
    return load_snapshot(Path(path)) if path else load_default_snapshot()


async def agents_of(state: GatewayState) -> dict[str, Any]:
    """The agent results per driver (`bench.agent.evidence.agent_section`), their own section."""
    from benchroute.bench.agent.evidence import agent_section

    return agent_section(await state.store.list_bench_results())


def leaderboard_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    """One row per model: its cells and an Overall that says what it covers. Overall is the mean of
    the model's cell accuracies (each cell counts once, however many trials it has), shown with the
    number of cells it covers: models with different cells are not averaged over the same work."""
    rows: list[dict[str, Any]] = []
    for model in snapshot.models():
        stats = {s.cell: s for s in snapshot.for_model(model) if s.trials > 0}
        overall = sum(s.accuracy for s in stats.values()) / len(stats) if stats else None
        rows.append({"model": model, "overall": overall, "covered": len(stats), "stats": stats})
    rows.sort(key=lambda r: (-r["covered"], -(r["overall"] or 0.0), str(r["model"])))
    return rows


@runtime_checkable
class RoutingTableEngine(Protocol):
    """HOOK for the router's routing table (the data behind `benchroute leaderboard --routes`):
    per route, the model the router picks at dial 0, 0.5 and 1, as
    `[{"route": str, "dial_0": model, "dial_0.5": model, "dial_1": model}, ...]`."""

    def routing_table(self) -> Sequence[Mapping[str, str]] | None: ...


def routing_table_of(state: GatewayState) -> list[dict[str, str]] | None:
    """The engine's routing table when it provides one (the leaderboard page renders it), else None."""
    if not isinstance(state.engine, RoutingTableEngine):
        return None
    table = state.engine.routing_table()
    return [dict(row) for row in table] if table else None


ID_MATCH_MIN = 6  # a search word this long may match inside a decision id or session key


def _matches(words: list[str], decision_id: str, session_key: str | None, d: dict[str, Any]) -> bool:
    """Every word is in the decision's text, or (long enough to mean one) in its id or session key:
    searching "502" must not match ids that happen to contain those digits."""
    parts = [str(d.get(k) or "") for k in ("model", "tier", "reason", "requested_model", "explanation")]
    parts += [str(d.get("session_action") or ""), *(d.get("cells") or {})]
    text = " ".join(parts).lower()
    ids = f"{decision_id} {session_key or ''}".lower()
    return all(w in text or (len(w) >= ID_MATCH_MIN and w in ids) for w in words)


def _json_for_script(data: Any) -> str:
    """JSON safe to put inside <script type="application/json"> (no closing tag can appear)."""
    return orjson.dumps(data).decode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _seg(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


__all__ = ["Pages", "Visit", "snapshot_of"]
