"""POST /v1/chat/completions: the OpenAI chat completions dialect on the shared pipeline."""

from __future__ import annotations

from benchroute.gateway.pipeline import Dialect, dialect_app
from benchroute.gateway.relay import StreamRendererLike
from benchroute.wire import chat as wire_chat
from benchroute.wire.canonical import ChatRequest


def _renderer(
    response_id: str, model: str, created: int, include_usage: bool, request: ChatRequest
) -> StreamRendererLike:
    return wire_chat.StreamRenderer(response_id, model, created, include_usage)


CHAT = Dialect(
    api_kind="chat",
    parse_request=wire_chat.parse_request,
    render_response=wire_chat.render_response,
    stream_renderer=_renderer,
    id_prefix="chatcmpl-",
)

chat_completions = dialect_app(CHAT)
