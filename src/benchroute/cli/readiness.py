"""Per tier: which models the gateway can call here, and what to do about the others.

Shared by the `benchroute serve` banner and `benchroute doctor`. Each tier is asked of the routing
engine itself with a sample request (routing is pure, no model is called), so what this prints is
what a client would get.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from benchroute.catalog.model import Catalog
from benchroute.providers.readiness import (
    LOCAL_HINT,
    ProviderReadiness,
    missing_keys,
    model_readiness,
    not_callable_message,
    provider_readiness,
)
from benchroute.routing.base import RouteContext, RoutingEngine
from benchroute.routing.static import AUTO_TIERS, RouteError, is_allowed
from benchroute.settings import Settings
from benchroute.wire import chat
from benchroute.wire.canonical import RequestContext

SAMPLE_PROMPT = "write a function that parses an ISO date, with tests"


@dataclass(frozen=True, slots=True)
class TierStatus:
    tier: str
    ok: bool
    callable: tuple[str, ...]  # callable models this tier may use (allowed for the project)
    sample: str | None  # the model the engine picks for a sample request, when callable
    message: str  # why not, and what to do ("" when ok)
    missing: tuple[str, ...] = ()  # key variables that would make this tier's models callable


def _sample(engine: RoutingEngine, settings: Settings, tier: str, project: str) -> str | None:
    body = {"model": tier, "messages": [{"role": "user", "content": SAMPLE_PROMPT}]}
    request = chat.parse_request(body, RequestContext(api_kind="chat", project=project))
    try:
        return engine.route(request, settings.project(project), RouteContext()).model
    except (RouteError, LookupError, PermissionError, ValueError):  # what engines raise (gateway/sessions)
        return None


def tier_statuses(
    settings: Settings,
    catalog: Catalog,
    engine: RoutingEngine,
    readiness: Mapping[str, ProviderReadiness],
    project: str = "default",
) -> list[TierStatus]:
    by_model = model_readiness(catalog, readiness)
    allowed = settings.project(project).allowed_models
    out: list[TierStatus] = []
    for tier in AUTO_TIERS:
        pool = catalog.free_models() if tier == "auto/free" else list(catalog)
        members = [m.id for m in pool if is_allowed(m.id, allowed)]
        ready = tuple(m for m in members if by_model[m].ready)
        picked = _sample(engine, settings, tier, project)
        ok = picked is not None and by_model.get(picked, ProviderReadiness("", True, "")).ready
        message = "" if ok else not_callable_message(tier, members, by_model)
        missing = () if ok else tuple(missing_keys(members, by_model))
        out.append(TierStatus(tier, ok, ready, picked if ok else None, message, missing))
    return out


def status_lines(statuses: Iterable[TierStatus], readiness: Mapping[str, ProviderReadiness]) -> list[str]:
    """The banner: one line per tier, then the providers that are not callable and why."""
    lines: list[str] = []
    for s in statuses:
        if s.ok:
            shown = ", ".join(s.callable[:3]) + (
                f" (+{len(s.callable) - 3} more)" if len(s.callable) > 3 else ""
            )
            lines.append(f"  {s.tier:<15} ready: {len(s.callable)} callable, e.g. {s.sample}; pool: {shown}")
        else:
            lines.append(f"  {s.tier:<15} CANNOT ROUTE: no callable model")
    blocked = [r for r in readiness.values() if not r.ready]
    if blocked:
        lines.append("  not callable here:")
        lines += [f"    {r.name:<11} {r.why}" for r in sorted(blocked, key=lambda r: r.name)]
    if any(not s.ok for s in statuses):
        keys = missing_keys_of(readiness)
        lines.append("  to fix: set a provider key (" + ", ".join(keys[:4]) + ", …) and restart,")
        lines.append(f"          or {LOCAL_HINT}; `benchroute doctor` checks it all")
    return lines


def missing_keys_of(readiness: Mapping[str, ProviderReadiness]) -> list[str]:
    """The key variables not set (or set to a gateway key), in the built-in providers' order."""
    return [r.env_var for r in readiness.values() if not r.ready and r.env_var]


@dataclass(frozen=True, slots=True)
class CallableHere:
    """Whether a Decision's model can be called from a gateway on this machine, and what the
    gateway would pick instead (None: it could not route the request)."""

    ok: bool
    why: str
    gateway_pick: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "callable_here": self.ok,
            "not_callable_because": "" if self.ok else self.why,
            "gateway_would_pick": self.gateway_pick,
        }

    def note(self, model: str) -> str:
        if self.ok:
            return ""
        instead = (
            f"the gateway would pick {self.gateway_pick}"
            if self.gateway_pick
            else "the gateway could not route this request here (`benchroute doctor` says why)"
        )
        return f"note: {model} is not callable here ({self.why}); {instead}."


def callable_here(
    settings: Settings, catalog: Catalog, model: str, keyed_pick: Callable[[], str]
) -> CallableHere:
    """`model`'s readiness here; when it is not callable, `keyed_pick()` is what the gateway picks
    (it raises a routing error when nothing callable fits)."""
    ready = model_readiness(catalog, provider_readiness(settings)).get(model)
    if ready is None or ready.ready:
        return CallableHere(True, "", model)
    try:
        pick: str | None = keyed_pick()
    except (RouteError, LookupError, PermissionError, ValueError):
        pick = None
    return CallableHere(False, ready.why, pick)
