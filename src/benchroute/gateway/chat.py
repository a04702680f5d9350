"""POST /v1/chat/completions: the OpenAI chat completions dialect on the shared pipeline."""

from __future__ import annotations

from typing import Any

from benchroute.gateway.pipeline import Dialect, dialect_app
from benchroute.gateway.relay import StreamRendererLike
from benchroute.wire import chat as wire_chat
from benchroute.wire.canonical import ChatRequest, RequestContext
from benchroute.wire.errors import WireError


def parse_request(body: dict[str, Any], context: RequestContext) -> ChatRequest:
    """The chat body, refusing `n` > 1: every choice would be its own routing decision, upstream
    call and bill (and the messages API has no `n` at all), so one request gets one choice; a
    client that wants several sends several requests. Silently answering one of n is the worst
    of both."""
    n = body.get("n")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n != 1):
        raise WireError(
            f"n must be 1 (got {n!r}): benchroute routes and bills each completion on its own, so it "
            "returns one choice per request; send n requests for n choices",
            param="n",
        )
    return wire_chat.parse_request(body, context)


def _renderer(
    response_id: str, model: str, created: int, include_usage: bool, request: ChatRequest
) -> StreamRendererLike:
    return wire_chat.StreamRenderer(response_id, model, created, include_usage)


CHAT = Dialect(
    api_kind="chat",
    parse_request=parse_request,
    render_response=wire_chat.render_response,
    stream_renderer=_renderer,
    id_prefix="chatcmpl-",
)

chat_completions = dialect_app(CHAT)
