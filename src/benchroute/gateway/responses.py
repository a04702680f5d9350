"""POST /v1/responses: the OpenAI Responses dialect (as the Codex CLI and the OpenAI SDK send it) on
the shared pipeline.

Nothing is stored: `store` is ignored (Codex sends `store: false` and the full input each turn),
and a request that leans on stored state (`previous_response_id`) is rejected with a clear 400.
Hosted tools (web_search, file_search, local_shell, mcp, ...) have no canonical form: they are
dropped and logged; a `tool_choice` naming one is a 400 from the parser. Errors use the OpenAI
error shape, as the Responses API does.
"""

from __future__ import annotations

import logging
from typing import Any

from benchroute.gateway.pipeline import Dialect, dialect_app
from benchroute.gateway.relay import StreamRendererLike
from benchroute.wire import responses as wire_responses
from benchroute.wire.canonical import ChatRequest, RequestContext
from benchroute.wire.errors import WireError

log = logging.getLogger(__name__)


def parse_request(body: dict[str, Any], context: RequestContext) -> ChatRequest:
    if body.get("previous_response_id"):
        raise WireError(
            "previous_response_id is not supported: benchroute stores no responses; "
            "send the whole conversation as input (store: false)",
            param="previous_response_id",
        )
    dropped: list[str] = []
    request = wire_responses.parse_request(body, context, dropped_tools=dropped)
    if dropped:
        log.info("responses: dropped hosted tools the upstream cannot run: %s", ", ".join(dropped))
    return request


def _renderer(
    response_id: str, model: str, created: int, include_usage: bool, request: ChatRequest
) -> StreamRendererLike:
    return wire_responses.StreamRenderer(response_id, model, created, include_usage)


RESPONSES = Dialect(
    api_kind="responses",
    parse_request=parse_request,
    render_response=wire_responses.render_response,
    stream_renderer=_renderer,
    id_prefix="resp_",
)

responses = dialect_app(RESPONSES)
