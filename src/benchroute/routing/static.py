"""The static router: manual catalog ids pass through; auto tiers go to a configured default.

This is the fallback engine for when no leaderboard or classifier applies (and the engine the
gateway runs before the benchmark-backed `Router` is available). It is pure: same inputs, same
Decision.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from benchroute.catalog import names
from benchroute.catalog.model import Catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.capabilities import Needs, needs_of, unmet
from benchroute.routing.decision import Decision
from benchroute.settings import ProjectSettings, TierSettings
from benchroute.wire.canonical import ChatRequest

AUTO_TIERS: tuple[str, ...] = ("auto/efficient", "auto/balanced", "auto/frontier", "auto/free")

# alias -> normalised tier id
TIER_ALIASES: dict[str, str] = {
    "auto": "auto/efficient",
    "kilo/auto": "auto/balanced",
    **{t: t for t in AUTO_TIERS},
    **{"kilo-auto/" + t.split("/", 1)[1]: t for t in AUTO_TIERS},
}


class RouteError(Exception):
    """The request names a model the router cannot or may not serve."""

    status = 400
    code = "invalid_model"

    def __init__(self, message: str, *, param: str | None = "model") -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class ModelNotFound(RouteError, LookupError):
    status = 404
    code = "model_not_found"


class ModelNotAllowed(RouteError, PermissionError):
    status = 403
    code = "model_not_allowed"


class NoModelConfigured(RouteError):
    status = 503
    code = "no_model_configured"


class ContextTooLong(RouteError):
    """The request is longer than any model the tier may route it to can take (OpenAI's code)."""

    status = 400
    code = "context_length_exceeded"

    def __init__(self, message: str) -> None:
        super().__init__(message, param="messages")


def normalise_tier(model: str) -> str | None:
    """The tier id for an auto model name or alias, else None (a catalog id)."""
    tier = TIER_ALIASES.get(model)
    if tier is None and model.startswith(("auto/", "kilo-auto/")):
        return None  # an unknown auto tier: reported as unknown model
    return tier


def is_allowed(model_id: str, patterns: list[str]) -> bool:
    # "*" (the default) allows every id: no pattern matching on each request for it
    return "*" in patterns or any(fnmatchcase(model_id, p) for p in patterns)


def manual(
    catalog: Catalog,
    model_id: str,
    project: ProjectSettings,
    session_key: str | None = None,
    needs: Needs | None = None,
) -> Decision:
    """A catalog id asked for by name: passed through when it exists and the project allows it.
    A bare Anthropic name (`claude-sonnet-4-5`, as Claude Code sends) stands for the one catalog id
    it can mean (`catalog.names.resolve`). The choice is respected even when the model lacks
    something the request needs (tools, images, context): the Decision then says so in its
    explanation and `warnings`."""
    requested = model_id
    resolved = names.resolve(catalog, model_id)
    if resolved is None:
        near = names.nearest(catalog, model_id)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        raise ModelNotFound(
            f"unknown model {model_id!r}: {hint}use one of the auto tiers ({', '.join(AUTO_TIERS)}) or a "
            "catalog id; GET /v1/models (or `benchroute models`) lists the valid ids"
        )
    model_id = resolved
    if not is_allowed(model_id, project.allowed_models):
        raise ModelNotAllowed(
            f"model {model_id!r} is not in this project's allowed_models "
            f"({', '.join(project.allowed_models)})"
        )
    warnings = _manual_warnings(catalog, model_id, needs)
    return Decision(
        model=model_id,
        tier="manual",
        reason="manual",
        requested_model=requested,
        session_key=session_key,
        explanation=" ".join([_asked(requested, model_id), *warnings]),
        warnings=warnings,
    )


def _asked(requested: str, model_id: str) -> str:
    if requested == model_id:
        return f"{model_id} was asked for by name."
    return f"{model_id} was asked for by name (as {requested})."


MANUAL_CAVEATS = {
    "tools": "The request has tools but {model} does not support tool calls; it is served as asked.",
    "vision": "The request has images but {model} does not accept images; it is served as asked.",
    "context": "The prompt may not fit {model}'s context window; it is served as asked.",
}


def _manual_warnings(catalog: Catalog, model_id: str, needs: Needs | None) -> tuple[str, ...]:
    info = catalog.get(model_id)
    if needs is None or info is None:
        return ()
    gap = unmet(info, needs)
    return (MANUAL_CAVEATS[gap].format(model=model_id),) if gap in MANUAL_CAVEATS else ()


class StaticRouter:
    """A `RoutingEngine` without evidence: manual ids and the configured default."""

    def __init__(self, catalog: Catalog, tiers: TierSettings) -> None:
        self._catalog = catalog
        self._tiers = tiers

    def route(self, request: ChatRequest, project: ProjectSettings, ctx: RouteContext) -> Decision:
        requested = request.model
        tier = normalise_tier(requested)
        if tier is None:
            needs = needs_of(
                request, 0
            )  # tools and images; the context check needs the policy's token estimate
            return manual(self._catalog, requested, project, ctx.session_key, needs)
        return self._default(request, tier, project, ctx)

    def default_models(self, api_kind: str) -> list[str]:
        """Configured defaults for an API kind, in order of preference, without duplicates."""
        ordered: list[str] = []
        first = self._tiers.balanced.get(api_kind)
        if first:
            ordered.append(first)
        if self._tiers.default:
            ordered.append(self._tiers.default)
        ordered.extend(v for k, v in sorted(self._tiers.balanced.items()) if k != api_kind)
        ordered.extend(m.id for m in self._catalog if m.local)
        seen: set[str] = set()
        out: list[str] = []
        for model_id in ordered:
            if model_id not in seen and model_id in self._catalog:
                seen.add(model_id)
                out.append(model_id)
        return out

    def _default(
        self, request: ChatRequest, tier: str, project: ProjectSettings, ctx: RouteContext
    ) -> Decision:
        configured = self.default_models(request.context.api_kind)
        allowed = [m for m in configured if is_allowed(m, project.allowed_models)]
        if not allowed:
            if configured:
                raise ModelNotAllowed(
                    f"{request.model!r} routes to the configured default ({configured[0]}), which this "
                    "project's allowed_models does not include"
                )
            raise NoModelConfigured(
                f"{request.model!r} needs a default model, and none is configured: set tiers.default or "
                "tiers.balanced in the config, or run a local model (Ollama / LM Studio)"
            )
        healthy = [m for m in allowed if m not in ctx.unavailable]
        order = healthy + [m for m in allowed if m in ctx.unavailable]  # all in cooldown: still try
        chosen = order[0]
        return Decision(
            model=chosen,
            tier=tier,
            reason="default",
            requested_model=request.model,
            session_key=ctx.session_key,
            fallbacks=tuple(order[1:]),
            explanation=(
                f"{tier} is served by the configured default {chosen} "
                "(static routing: no benchmark evidence applied)."
            ),
        )
