"""What this gateway can call, for a project, and the errors that say so.

A routing failure for an auto tier whose allowed models exist but none is callable is a 503 that
names the missing keys or local servers (the project's settings are fine; the gateway's
environment is not). A manual model whose provider has no key is refused before any network call,
naming the variable to set.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchroute.catalog.model import ModelInfo
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.state import GatewayState
from benchroute.providers.readiness import (
    ProviderReadiness,
    model_readiness,
    not_callable_message,
)
from benchroute.routing.base import FreePoolEngine
from benchroute.routing.decision import Decision
from benchroute.routing.static import is_allowed, normalise_tier
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest

_MISSING = object()


async def readiness(state: GatewayState, project: str) -> dict[str, ProviderReadiness]:
    """Every provider the gateway has, ready or not, for requests of `project` (its own
    provider keys count; providers handed to `create_app` that carry no key slot count as ready)."""
    out: dict[str, ProviderReadiness] = {}
    for name in state.providers:
        out[name] = await _provider_ready(state, project, name)
    for name, r in state.readiness().items():
        out.setdefault(name, r)
    return out


def _gateway_ready(state: GatewayState, name: str) -> ProviderReadiness:
    """One provider the gateway has, by the gateway's own keys and servers (no project's key)."""
    r = state.readiness().get(name)
    key = getattr(state.providers[name], "api_key", _MISSING)
    if r is None or key is _MISSING:  # handed in (tests, embedders) or keyless by design (fake)
        return ProviderReadiness(name, True, "configured")
    if key and not r.ready:
        return ProviderReadiness(name, True, "key given to the provider", r.env_var)
    return r


async def _provider_ready(state: GatewayState, project: str, name: str) -> ProviderReadiness:
    """One provider the gateway has, for requests of `project` (see `readiness`)."""
    r = _gateway_ready(state, name)
    if r.ready:
        return r
    return await _with_project_key(state, project, r)


async def _with_project_key(state: GatewayState, project: str, r: ProviderReadiness) -> ProviderReadiness:
    """`r` (not ready by the gateway's keys), ready when the project has its own key."""
    if await state.provider_keys.get(project, r.name):
        return ProviderReadiness(r.name, True, f"project {project!r} has its own {r.name} key", r.env_var)
    return r


async def by_model(state: GatewayState, project: str) -> dict[str, ProviderReadiness]:
    return model_readiness(state.catalog, await readiness(state, project))


def tier_reach(state: GatewayState, tier: str, models: Sequence[ModelInfo]) -> list[ModelInfo]:
    """Of `models` (those the caller may use), the ones auto tier `tier` may route a request to:
    `auto/free` only its free pool (the engine's, else the catalog's free models); every other
    tier any of them (Balanced ends its fallbacks with any usable model)."""
    if normalise_tier(tier) != "auto/free":
        return list(models)
    engine = state.engine
    pool = engine.free_pool.ids() if isinstance(engine, FreePoolEngine) else []
    ids = set(pool or (m.id for m in state.catalog.free_models()))
    return [m for m in models if m.id in ids]


def tier_context(state: GatewayState, tier: str, models: Sequence[ModelInfo]) -> int | None:
    """The longest context `tier` can serve: the largest window among the models it may route to
    (None when it may route to none)."""
    return max((m.context for m in tier_reach(state, tier, models)), default=None)


def _tier_models(state: GatewayState, tier: str, project: ProjectSettings) -> list[str]:
    models = state.catalog.free_models() if tier == "auto/free" else list(state.catalog)
    return [m.id for m in models if is_allowed(m.id, project.allowed_models)]


async def route_failure(
    state: GatewayState, request: ChatRequest, project: ProjectSettings, plain: GatewayError
) -> GatewayError:
    """The client error for a routing failure (`plain`: the router's error as mapped): a 503
    naming what is missing when an auto tier has allowed models but none callable here."""
    tier = normalise_tier(project.tier if request.model == "auto" else request.model)
    if request.model == "auto" and tier is None:
        tier = "auto/efficient"
    if tier is None or plain.status not in (403, 503):
        return plain
    allowed = _tier_models(state, tier, project)
    ready = await by_model(state, request.context.project)
    if not allowed or any(ready[m].ready for m in allowed if m in ready):
        return plain
    return GatewayError(
        503, not_callable_message(tier, allowed, ready), code="no_callable_model", param="model"
    )


async def require_key(state: GatewayState, decision: Decision, project: str) -> None:
    """Refuse a manual model whose provider has no key (the gateway's, the project's or a local
    server), naming the variable to set. Costs one attribute read when the provider has a key."""
    if decision.tier != "manual":
        return
    info = state.catalog.get(decision.model)
    provider = state.providers.get(info.provider) if info is not None else None
    if info is None or provider is None or info.local or getattr(provider, "api_key", _MISSING) is not None:
        return
    r = _gateway_ready(state, info.provider)  # (ready: no coroutine for the project's key)
    if r.ready:
        return
    r = await _with_project_key(state, project, r)
    if r.ready:
        return
    raise GatewayError(
        400,
        f"model {info.id} cannot be called from this gateway: {r.why}. {r.fix} in the gateway's "
        f"environment and restart it, or add a project key with `benchroute keys provider set "
        f"--project {project} {info.provider}`; GET /v1/models lists the models callable here",
        code="provider_key_missing",
        param="model",
    )
