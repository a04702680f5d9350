"""What every dashboard page shares: templates, the signed session, access checks, CSRF, headers.

The dashboard runs inside the gateway app and reads the gateway's runtime state
(`request.app.state.gateway`): settings, store, catalog, engine. It keeps no module-level state;
its own (the template environment, the session codec) lives on the `Dashboard` object the
gateway mounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from benchroute.dashboard.login import COOKIE_NAME, Session, SessionCodec, new_session
from benchroute.dashboard.onetime import OneTimeSecrets
from benchroute.gateway.projects import ProjectSettingsSource
from benchroute.store.crypto import ensure_secret

if TYPE_CHECKING:
    from benchroute.gateway.state import GatewayState

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
MAX_FORM_BYTES = 64 * 1024

# Scripts and styles only from the dashboard's own static files (the chart data is JSON in a
# non-executed <script type="application/json">), no framing, forms post only back to us.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass(frozen=True, slots=True)
class Visit:
    """One request to the dashboard: the gateway state, the session, the form if one was posted."""

    request: Request
    state: GatewayState
    session: Session
    form: dict[str, str]
    set_cookie: bool = False  # a new session: send its cookie with the response

    @property
    def base(self) -> str:
        """The dashboard's URL prefix ("/dashboard" when the gateway mounts it there)."""
        return str(self.request.scope.get("root_path", "")).rstrip("/")

    @property
    def actor(self) -> str:
        s = self.session
        return f"dashboard key {s.key_id} ({'admin' if s.admin else s.project})"


def _pathseg(value: Any) -> str:
    return quote(str(value), safe="")


def _usd(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    return f"${float(value):,.{digits}f}"


def _pct(value: Any, digits: int = 1) -> str:
    return "—" if value is None else f"{float(value) * 100:.{digits}f}%"


def _num(value: Any, digits: int = 0) -> str:
    """Thousands separators: 1234567 -> "1,234,567"."""
    return "—" if value is None else f"{float(value):,.{digits}f}"


def _money(value: Any) -> str:
    """USD with cents for large sums and four decimals for small ones, the sign before the $."""
    if value is None:
        return "—"
    v = float(value)
    digits = 2 if abs(v) >= 100 else 4
    return f"{'-' if v < 0 else ''}${abs(v):,.{digits}f}"


class Dashboard:
    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(pathseg=_pathseg, usd=_usd, pct=_pct, num=_num, money=_money)
        self._codec: SessionCodec | None = None
        self.new_keys = OneTimeSecrets()
        self._projects: ProjectSettingsSource | None = None

    # ---- state -----------------------------------------------------------------------------------

    def codec(self, state: GatewayState) -> SessionCodec:
        if self._codec is None:
            self._codec = SessionCodec(ensure_secret(state.settings))
        return self._codec

    def projects(self, state: GatewayState) -> ProjectSettingsSource:
        """The gateway's project settings source (so saving here invalidates what requests use)."""
        if state.projects is not None:
            return state.projects
        if self._projects is None:
            self._projects = ProjectSettingsSource(state.settings, state.store)
        return self._projects

    # ---- sessions and access ---------------------------------------------------------------------

    async def visit(self, request: Request) -> Visit | Response:
        """The session of this request (a new anonymous one if none), with the posted form checked
        against the session's CSRF token; a 403 page when the token is missing or wrong."""
        state: GatewayState = request.app.state.gateway
        session = self.codec(state).decode(request.cookies.get(COOKIE_NAME))
        fresh = session is None
        if session is None:
            session = new_session()
        if session.signed_in and not await self._still_valid(state, session):
            session, fresh = new_session(), True
        if not session.signed_in and not state.auth.enabled:
            # Authentication is off (allowed on loopback only): everyone is project "default".
            session, fresh = new_session(key_id="none", project="default"), True
        form: dict[str, str] = {}
        if request.method == "POST":
            body = await request.body()
            if len(body) > MAX_FORM_BYTES:
                return self.error(Visit(request, state, session, {}, fresh), 413, "That form is too large.")
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            token = form.get("csrf") or request.headers.get("x-csrf-token")
            if not session.csrf_ok(token):
                visit = Visit(request, state, session, {}, fresh)
                return self.error(
                    visit,
                    403,
                    "The form's security token is missing or stale. Reload the page and try again.",
                )
        return Visit(request, state, session, form, fresh)

    async def _still_valid(self, state: GatewayState, session: Session) -> bool:
        """A session ends when its key is revoked (or the configured admin key is removed)."""
        if session.key_id == "none":
            return not state.auth.enabled
        if session.key_id == "admin":
            return bool(state.settings.server.admin_key)
        assert session.project is not None
        for info in await state.store.list_keys(session.project):
            if info.id == session.key_id:
                return not info.revoked
        return False

    async def signed_in(self, request: Request, project: str | None = None) -> Visit | Response:
        """The visit, when the session has signed in and may see `project`: else the sign-in page
        (not signed in) or a 404 (another project's page: its existence is not confirmed)."""
        visit = await self.visit(request)
        if isinstance(visit, Response):
            return visit
        if not visit.session.signed_in:
            return self.redirect(visit, "/login")
        if project is not None and not visit.session.can_see(project):
            return self.error(visit, 404, "There is no such page in your project.")
        return visit

    async def project_visit(self, request: Request, project: str) -> Visit | Response:
        """`signed_in(request, project)`, and a 404 page when an admin names a project that does not
        exist (not configured, no keys, no usage)."""
        visit = await self.signed_in(request, project)
        if isinstance(visit, Response) or not visit.session.admin:
            return visit
        if not await self.project_exists(visit.state, project):
            return self.error(visit, 404, f"There is no project {project!r}.")
        return visit

    @staticmethod
    async def project_exists(state: GatewayState, project: str) -> bool:
        if project in state.settings.projects:
            return True
        if any(k.project == project for k in await state.store.list_keys(project)):
            return True
        return bool(await state.store.usage_summary(project=project, group_by=["project"]))

    @staticmethod
    async def flush(state: GatewayState) -> None:
        """Pages read right after requests should see them: let the usage writer catch up first."""
        await state.writer.flush()

    async def not_found(self, request: Request) -> Response:
        """Any other URL under the dashboard: an HTML 404 page (never the API's JSON)."""
        visit = await self.visit(request)
        if isinstance(visit, Response):
            return visit
        return self.error(visit, 404, "There is no such page.")

    # ---- responses -------------------------------------------------------------------------------

    def render(self, visit: Visit, template: str, status_code: int = 200, **context: Any) -> Response:
        s = visit.session
        context.setdefault("active", "")
        wanted = visit.request.query_params.get("project")  # the project the nav links to
        html = self.env.get_template(template).render(
            base=visit.base,
            session=s,
            csrf=s.csrf,
            home_project=None if s.admin else s.project,
            nav_project=wanted if wanted and s.signed_in and s.can_see(wanted) else None,
            **context,
        )
        return self.finish(visit, HTMLResponse(html, status_code=status_code))

    def error(self, visit: Visit, status: int, message: str) -> Response:
        return self.render(visit, "error.html", status, status=status, message=message, project=None)

    def redirect(self, visit: Visit, path: str, session: Session | None = None) -> Response:
        response = RedirectResponse(visit.base + path, status_code=303)
        if session is not None:
            return self.finish(Visit(visit.request, visit.state, session, {}, True), response)
        return self.finish(visit, response)

    def finish(self, visit: Visit, response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if visit.set_cookie:
            response.set_cookie(
                COOKIE_NAME,
                self.codec(visit.state).encode(visit.session),
                max_age=self.codec(visit.state).max_age,
                path=visit.base or "/",
                httponly=True,
                samesite="strict",
                secure=visit.request.url.scheme == "https",
            )
        return response

    @staticmethod
    def wants_fragment(request: Request) -> bool:
        return request.headers.get("hx-request") == "true"
