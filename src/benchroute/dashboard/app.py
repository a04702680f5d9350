"""`create_dashboard()`: the dashboard as a Starlette Mount the gateway serves at /dashboard.

Pages (under the mount):
  /login, /logout                        sign in with a gateway admin key or a project key
  /                                      admin: projects; a project key: its usage page
  /p/{project}/usage                     models by volume and cost over time, savings, top sessions
  /p/{project}/requests                  every request (rejected ones too), filters in the URL, pages
  /p/{project}/sessions/{key}            one session's turns: model, switches, running cost
  /p/{project}/decisions[/{id}]          searchable routed requests; one decision explained
  /p/{project}/settings                  tier, dial, confidence, allowed models, BYOK and gateway keys
  /leaderboard, /leaderboard.html        models x cells; the same as one static page to publish
  /static/...                            CSS, JS, the vendored Chart.js and htmx
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from benchroute.dashboard.core import STATIC, Dashboard
from benchroute.dashboard.log_views import LogPages
from benchroute.dashboard.settings_views import SettingsPages
from benchroute.dashboard.views import Pages

MOUNT_PATH = "/dashboard"


def create_dashboard(path: str = MOUNT_PATH) -> Mount:
    """The dashboard's routes under `path`. It reads the gateway's state from `app.state.gateway`."""
    dashboard = Dashboard()
    pages = Pages(dashboard)
    settings = SettingsPages(dashboard)
    log = LogPages(dashboard)
    project = "/p/{project}"
    routes = [
        Route("/", pages.index, methods=["GET"]),
        Route("/login", pages.login, methods=["GET", "POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Route("/leaderboard", pages.leaderboard, methods=["GET"]),
        Route("/leaderboard.html", pages.leaderboard_static, methods=["GET"]),
        Route(project + "/usage", pages.usage, methods=["GET"]),
        Route(project + "/requests", log.requests, methods=["GET"]),
        Route(project + "/sessions/{session_key}", log.session, methods=["GET"]),
        Route(project + "/decisions", pages.decisions, methods=["GET"]),
        Route(project + "/decisions/{decision_id}", pages.decision, methods=["GET"]),
        Route(project + "/settings", settings.show, methods=["GET"]),
        Route(project + "/settings", settings.save, methods=["POST"]),
        Route(project + "/provider-keys", settings.set_provider_key, methods=["POST"]),
        Route(project + "/provider-keys/delete", settings.delete_provider_key, methods=["POST"]),
        Route(project + "/keys", settings.create_key, methods=["POST"]),
        Route(project + "/keys/{key_id}/revoke", settings.revoke_key, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
        """Any other URL under the mount: the dashboard's HTML 404 page, never the API's JSON."""
        response = await dashboard.not_found(Request(scope, receive))
        await response(scope, receive, send)

    return Mount(path, app=Router(routes, default=not_found), name="dashboard")
