"""The request log (every request, filters in the URL, pages) and the session timeline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from benchroute.dashboard.core import Dashboard
from benchroute.dashboard.request_log import (
    PAGE_SIZE,
    SCAN_LIMIT,
    STATUS_CHOICES,
    LogFilters,
    paginate,
    timeline,
)
from benchroute.dashboard.usage import RANGES

SESSION_TURNS = 500
CHOICE_GROUPS = ("model", "tier", "client", "mode")


class LogPages:
    def __init__(self, dashboard: Dashboard) -> None:
        self.d = dashboard

    async def requests(self, request: Request) -> Response:
        project = request.path_params["project"]
        visit = await self.d.project_visit(request, project)
        if isinstance(visit, Response):
            return visit
        filters = LogFilters.parse(request.query_params)
        await self.d.flush(visit.state)
        store = visit.state.store
        records = await store.list_usage(project=project, limit=SCAN_LIMIT, **filters.store_filters())
        page = paginate(records, filters, scanned_all=len(records) < SCAN_LIMIT)
        choices = await store.usage_summary(project=project, group_by=list(CHOICE_GROUPS))
        return self.d.render(
            visit,
            "requests.html",
            active="requests",
            project=project,
            filters=filters,
            page=page,
            page_size=PAGE_SIZE,
            ranges=list(RANGES),
            statuses=STATUS_CHOICES,
            choices={g: sorted({str(r.group[g]) for r in choices if r.group[g]}) for g in CHOICE_GROUPS},
        )

    async def session(self, request: Request) -> Response:
        project = request.path_params["project"]
        visit = await self.d.project_visit(request, project)
        if isinstance(visit, Response):
            return visit
        key = request.path_params["session_key"]
        await self.d.flush(visit.state)
        store = visit.state.store
        decisions = await store.list_decisions(project=project, session_key=key, limit=SESSION_TURNS)
        usage = await store.list_usage(project=project, limit=SESSION_TURNS, session_key=key)
        if not decisions and not usage:
            return self.d.error(visit, 404, "There is no such session in this project.")
        turns = timeline(decisions, usage)
        return self.d.render(
            visit,
            "session.html",
            active="requests",
            project=project,
            session_key=key,
            turns=turns,
            unlogged=[u for u in usage if u.id not in {t.decision_id for t in turns}],
            switches=sum(1 for t in turns if t.switched),
        )
