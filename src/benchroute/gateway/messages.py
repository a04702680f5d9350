"""POST /v1/messages: the Anthropic Messages dialect (Claude Code, the Anthropic SDK) on the shared
pipeline.

Auth is `x-api-key` or `Authorization: Bearer` (the authenticator takes both); `anthropic-version`
and `anthropic-beta` are accepted and not needed. Errors use Anthropic's shape,
``{"type": "error", "error": {"type": ..., "message": ...}}``. Server tools (typed tools such as
``web_search_20250305``) have no canonical form: they are dropped and logged.
"""

from __future__ import annotations

import logging
from typing import Any

from benchroute.gateway.errors import GatewayError
from benchroute.gateway.pipeline import Dialect, dialect_app
from benchroute.gateway.relay import StreamRendererLike
from benchroute.wire import anthropic as wire_anthropic
from benchroute.wire.canonical import ChatRequest, RequestContext

log = logging.getLogger(__name__)

# HTTP status -> Anthropic error type (https://docs.anthropic.com/en/api/errors)
ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "overloaded_error",
    504: "api_error",
    529: "overloaded_error",
}


def error_body(exc: GatewayError) -> dict[str, Any]:
    """A gateway error in Anthropic's error shape."""
    kind = ERROR_TYPES.get(exc.status, "invalid_request_error" if exc.status < 500 else "api_error")
    return {"type": "error", "error": {"type": kind, "message": exc.message}}


def parse_request(body: dict[str, Any], context: RequestContext) -> ChatRequest:
    dropped: list[str] = []
    request = wire_anthropic.parse_request(body, context, dropped_tools=dropped)
    if dropped:
        log.info("messages: dropped server tools the upstream cannot run: %s", ", ".join(dropped))
    return request


def _renderer(
    response_id: str, model: str, created: int, include_usage: bool, request: ChatRequest
) -> StreamRendererLike:
    return wire_anthropic.StreamRenderer(response_id, model, created, include_usage)


MESSAGES = Dialect(
    api_kind="messages",
    parse_request=parse_request,
    render_response=wire_anthropic.render_response,
    stream_renderer=_renderer,
    id_prefix="msg_",
    error_body=error_body,
)

messages = dialect_app(MESSAGES)
