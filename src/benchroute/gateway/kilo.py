"""Kilo gateway compatibility: the paths Kilo's built-in provider calls and its OpenRouter-schema
model list.

Kilo Code (CLI 7.7.7 and the editor extensions) sends its built-in provider to `KILO_API_URL`:
`GET /api/openrouter/models` (catalog) and `POST /api/openrouter/chat/completions`, with
`Authorization: Bearer $KILO_API_KEY`; it also knows `/api/gateway/v1/...`. Every dialect (chat
completions, messages, responses) and the model list are served under each of `PREFIXES`, so any
of these base URLs works. The model list uses the OpenRouter schema (prices as strings in USD per
token), holds the models this gateway can serve the caller (allowed for the project, provider
usable), and names the auto tiers both as `auto/*` and as Kilo's `kilo-auto/*` (the router maps
those to the same tiers).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from benchroute.catalog.model import ModelInfo
from benchroute.gateway.auth import Caller
from benchroute.gateway.callables import tier_reach
from benchroute.gateway.chat import chat_completions
from benchroute.gateway.errors import GatewayError
from benchroute.gateway.headers import header_dict
from benchroute.gateway.messages import messages
from benchroute.gateway.responses import responses
from benchroute.gateway.routes import json_response
from benchroute.gateway.state import GatewayState
from benchroute.providers.registry import keyed_providers
from benchroute.routing.static import AUTO_TIERS, is_allowed

# Base paths a client may be pointed at; "" and "/v1" are the plain OpenAI/Anthropic ones.
PREFIXES: tuple[str, ...] = (
    "",
    "/v1",
    "/api/v1",
    "/api/openrouter",
    "/api/openrouter/v1",
    "/api/gateway",
    "/api/gateway/v1",
)
KILO_TIERS: tuple[str, ...] = (
    "kilo-auto/efficient",
    "kilo-auto/frontier",
    "kilo-auto/balanced",
    "kilo-auto/free",
)
AUTO_PARAMETERS = [
    "tools",
    "tool_choice",
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "reasoning",
    "include_reasoning",
    "response_format",
]
DEFAULT_CONTEXT = 128_000


def per_token(price_per_million: float) -> str:
    """USD per 1M tokens -> OpenRouter's USD per token as a decimal string ("0.000003")."""
    text = f"{price_per_million / 1e6:.12f}".rstrip("0").rstrip(".")
    return text or "0"


def _architecture(vision: bool) -> dict[str, Any]:
    inputs = ["text", "image"] if vision else ["text"]
    return {
        "modality": "text+image->text" if vision else "text->text",
        "input_modalities": inputs,
        "output_modalities": ["text"],
        "tokenizer": "Other",
        "instruct_type": None,
    }


def _entry(
    model_id: str,
    name: str,
    created: int,
    owner: str,
    *,
    context: int,
    max_output: int | None,
    prompt: str,
    completion: str,
    parameters: list[str],
    vision: bool,
    description: str,
) -> dict[str, Any]:
    # OpenAI's model fields (id, object, created, owned_by) plus OpenRouter's.
    return {
        "id": model_id,
        "object": "model",
        "created": created,
        "owned_by": owner,
        "name": name,
        "description": description,
        "context_length": context,
        "architecture": _architecture(vision),
        "pricing": {"prompt": prompt, "completion": completion, "request": "0", "image": "0"},
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": max_output,
            "is_moderated": False,
        },
        "supported_parameters": parameters,
    }


def model_entry(info: ModelInfo, created: int) -> dict[str, Any]:
    """One catalog model in the OpenRouter schema."""
    parameters = ["max_tokens", "temperature", "top_p", "stop", "response_format"]
    if info.tools:
        parameters[:0] = ["tools", "tool_choice"]
    if info.reasoning:
        parameters += ["reasoning", "include_reasoning"]
    return _entry(
        info.id,
        info.name or info.id,
        created,
        info.provider,
        context=info.context,
        max_output=info.max_output,
        prompt=per_token(info.input_price),
        completion=per_token(info.output_price),
        parameters=parameters,
        vision=info.vision,
        description=f"{info.id} via provider {info.provider}",
    )


def auto_entry(tier: str, created: int, models: list[ModelInfo]) -> dict[str, Any]:
    """An auto tier: it routes per request, so its price is per routed model (listed as 0 here)
    and its context is the largest of the models it may route to (`models`: those, for this tier:
    `callables.tier_reach`)."""
    context = max((m.context for m in models), default=DEFAULT_CONTEXT)
    return _entry(
        tier,
        f"benchroute {tier}",
        created,
        "benchroute",
        context=context,
        max_output=None,
        prompt="0",
        completion="0",
        parameters=list(AUTO_PARAMETERS),
        vision=any(m.vision for m in models),
        description=f"benchroute picks the model per request ({tier}); the usage log has the cost",
    )


async def servable_providers(state: GatewayState, project: str) -> set[str]:
    """Providers a request of `project` can use: keyed by the gateway (or keyless: local, fake),
    discovered on this machine, or with the project's own (BYOK) key."""
    ready = keyed_providers(state.settings) | {s.name for s in state.discovered}
    out: set[str] = set()
    for name in state.providers:
        if name in ready or await state.provider_keys.get(project, name):
            out.add(name)
    return out


async def model_list(state: GatewayState, caller: Caller) -> list[dict[str, Any]]:
    allowed = state.settings.project(caller.project).allowed_models
    providers = await servable_providers(state, caller.project)
    created = int(state.started)
    models = [info for info in state.catalog if info.provider in providers and is_allowed(info.id, allowed)]
    data = [auto_entry(t, created, tier_reach(state, t, models)) for t in (*AUTO_TIERS, *KILO_TIERS)]
    data += [model_entry(info, created) for info in models]
    return data


async def models(request: Request) -> Response:
    """GET <prefix>/models in the OpenRouter schema (a superset of OpenAI's)."""
    state: GatewayState = request.app.state.gateway
    try:
        caller = await state.auth.authenticate(header_dict(request.scope["headers"]))
    except GatewayError as exc:
        return exc.response()
    return json_response({"object": "list", "data": await model_list(state, caller)})


def post_handlers() -> dict[str, ASGIApp]:
    """Every POST path of the three dialects under every prefix -> its pipeline handler."""
    handlers: dict[str, ASGIApp] = {
        "/chat/completions": chat_completions,
        "/messages": messages,
        "/responses": responses,
    }
    return {prefix + suffix: handler for prefix in PREFIXES for suffix, handler in handlers.items()}


def model_routes(skip: frozenset[str] = frozenset()) -> list[BaseRoute]:
    """GET <prefix>/models (OpenRouter schema) under every prefix, except the paths in `skip`."""
    paths = (prefix + "/models" for prefix in PREFIXES)
    return [Route(path, models, methods=["GET"]) for path in paths if path not in skip]
