"""The project settings page: routing settings, bring-your-own provider keys, gateway keys.

Every POST has passed the CSRF check in `Dashboard.visit`. Settings are validated like
`ProjectSettings` before they are saved; saved overrides are recorded in the store's change log and
take effect on the next request (the gateway's ProjectSettingsSource is invalidated here, and other
replicas see them within its short TTL).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from benchroute.dashboard.changes import diffs
from benchroute.dashboard.core import Dashboard, Visit
from benchroute.dashboard.projects import EDITABLE, InvalidSettings, validate_overrides, widened
from benchroute.routing.static import AUTO_TIERS

CHANGES_SHOWN = 20
# `?saved=<code>` after a redirect: a fixed message, so a link cannot put its own text on the page.
MESSAGES = {
    "settings": "Settings saved. They apply from the next request.",
    "provider_key": "Provider key saved (encrypted; shown masked).",
    "provider_key_deleted": "Provider key deleted.",
    "key_revoked": "Key revoked.",
    "key_created": "Key created. Copy it now: it is not shown again.",
    "key_gone": "That key was shown once already; it is not shown again.",
}


class SettingsPages:
    def __init__(self, dashboard: Dashboard) -> None:
        self.d = dashboard

    async def _visit(self, request: Request) -> Visit | Response:
        return await self.d.project_visit(request, request.path_params["project"])

    async def page(
        self,
        visit: Visit,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        form: dict[str, Any] | None = None,
        message: str = "",
        new_key: str | None = None,
    ) -> Response:
        project = visit.request.path_params["project"]
        state = visit.state
        source = self.d.projects(state)
        effective = await source.get(project)
        overrides = await state.store.get_project_settings(project) or {}
        providers = sorted(set(state.settings.providers) | {m.provider for m in state.catalog})
        values = form or {
            "tier": effective.tier,
            "dial": effective.dial,
            "min_confidence": effective.min_confidence,
            "allowed_models": "\n".join(effective.allowed_models),
        }
        return self.d.render(
            visit,
            "settings.html",
            status,
            project=project,
            values=values,
            base_settings=source.base(project),
            overrides=overrides,
            errors=errors or {},
            message=message or MESSAGES.get(visit.request.query_params.get("saved", ""), ""),
            tiers=AUTO_TIERS,
            providers=providers,
            provider_keys=await state.store.list_provider_keys(project),
            keys=[k for k in await state.store.list_keys(project) if not k.admin],
            changes=diffs(await state.store.list_settings_changes(project=project, limit=CHANGES_SHOWN + 1)),
            new_key=new_key,
        )

    async def show(self, request: Request) -> Response:
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        token = request.query_params.get("created")
        if token:  # after "Create key": the new key, once (post/redirect/get)
            secret = self.d.new_keys.take(token, visit.session.csrf)
            if secret is None:
                return await self.page(visit, message=MESSAGES["key_gone"])
            return await self.page(visit, message=MESSAGES["key_created"], new_key=secret)
        return await self.page(visit)

    async def save(self, request: Request) -> Response:
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        project = request.path_params["project"]
        form = visit.form
        submitted: dict[str, Any] = {
            "tier": form.get("tier", "").strip(),
            "dial": form.get("dial", "").strip(),
            "min_confidence": form.get("min_confidence", "").strip(),
            "allowed_models": [
                line.strip() for line in form.get("allowed_models", "").splitlines() if line.strip()
            ],
        }
        source = self.d.projects(visit.state)
        base = source.base(project)
        try:
            merged = validate_overrides(base, submitted, catalog_ids=(m.id for m in visit.state.catalog))
        except InvalidSettings as exc:
            shown = {**submitted, "allowed_models": form.get("allowed_models", "")}
            return await self.page(visit, status=400, errors=exc.errors, form=shown)
        wider = {} if is_admin(visit) else widened(await source.get(project), merged)
        if wider:
            shown = {**submitted, "allowed_models": form.get("allowed_models", "")}
            return await self.page(visit, status=403, errors=wider, form=shown)
        # Keep only what differs from the config, so a later config change still applies elsewhere.
        overrides = {k: getattr(merged, k) for k in EDITABLE if getattr(merged, k) != getattr(base, k)}
        previous = await visit.state.store.get_project_settings(project) or {}
        if overrides != {k: v for k, v in previous.items() if k in EDITABLE}:
            await visit.state.store.set_project_settings(project, overrides, actor=visit.actor)
            source.invalidate()
        return self.d.redirect(visit, f"/p/{_seg(project)}/settings?saved=settings")

    async def set_provider_key(self, request: Request) -> Response:
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        project = request.path_params["project"]
        provider, secret = visit.form.get("provider", "").strip(), visit.form.get("secret", "").strip()
        known = set(visit.state.settings.providers) | {m.provider for m in visit.state.catalog}
        if provider not in known or not secret:
            return await self.page(
                visit, status=400, errors={"provider_key": "choose a provider and paste its key"}
            )
        await visit.state.store.set_provider_key(project, provider, secret)
        return self.d.redirect(visit, f"/p/{_seg(project)}/settings?saved=provider_key")

    async def delete_provider_key(self, request: Request) -> Response:
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        project = request.path_params["project"]
        provider = visit.form.get("provider", "")
        if not await visit.state.store.delete_provider_key(project, provider):
            return self.d.error(visit, 404, "There is no such provider key in this project.")
        return self.d.redirect(visit, f"/p/{_seg(project)}/settings?saved=provider_key_deleted")

    async def create_key(self, request: Request) -> Response:
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        project = request.path_params["project"]
        name = visit.form.get("name", "").strip()[:100]
        # A key made with a project key is tied to it: revoking that key revokes this one too.
        parent = None if is_admin(visit) else visit.session.key_id
        _, secret = await visit.state.store.create_key(project, name=name, parent=parent)
        # Shown once, on the page this redirects to: the URL carries a one-time token, never the key.
        token = self.d.new_keys.put(secret, visit.session.csrf)
        return self.d.redirect(visit, f"/p/{_seg(project)}/settings?created={token}")

    async def revoke_key(self, request: Request) -> Response:
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        project, key_id = request.path_params["project"], request.path_params["key_id"]
        mine = {k.id for k in await visit.state.store.list_keys(project) if not k.admin}
        if key_id not in mine:
            return self.d.error(visit, 404, "There is no such key in this project.")
        await visit.state.store.revoke_key(key_id)
        return self.d.redirect(visit, f"/p/{_seg(project)}/settings?saved=key_revoked")


def is_admin(visit: Visit) -> bool:
    """The admin key, or nobody at all when authentication is off (loopback only)."""
    return visit.session.admin or visit.session.key_id == "none"


def _seg(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
