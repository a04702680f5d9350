"""POST /v1/messages: the Anthropic Messages dialect (Claude Code, the Anthropic SDK) on the shared
pipeline.

Auth is `x-api-key` or `Authorization: Bearer` (the authenticator takes both); `anthropic-version`
and `anthropic-beta` are accepted and not needed. Errors use Anthropic's shape,
``{"type": "error", "error": {"type": ..., "message": ...}}`` (`wire.error_body`, chosen by the
dialect's `api_kind`). Server tools (typed tools such as
``web_search_20250305``) have no canonical form: they are dropped and logged.
"""

from __future__ import annotations

import logging
from typing import Any

from benchroute.gateway.pipeline import Dialect, dialect_app
from benchroute.gateway.relay import StreamRendererLike
from benchroute.wire import anthropic as wire_anthropic
from benchroute.wire.canonical import ChatRequest, RequestContext

log = logging.getLogger(__name__)


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
)

messages = dialect_app(MESSAGES)
