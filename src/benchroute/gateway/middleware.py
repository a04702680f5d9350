"""The catch-all: an unexpected exception becomes a 500 with an error id, in the error shape of the
API the client speaks (Anthropic's for `…/messages`, OpenAI's for everything else).

The traceback is logged with the id (request bodies and headers are not, so no key reaches a log);
the process keeps serving.
"""

from __future__ import annotations

import logging
import uuid

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchroute.gateway.cycle import Cycle
from benchroute.gateway.edge import EDGE_EXTENSION
from benchroute.wire.error_body import dialect_of, error_json

log = logging.getLogger("benchroute.gateway")


class CatchAll:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # the gateway's protocol: the request's cycle knows whether the response started
        cycle = edge_cycle(scope)
        started = False
        inner = send
        if cycle is None:

            async def tracking_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                await send(message)

            inner = tracking_send
        try:
            await self.app(scope, receive, inner)
        except ClientDisconnect:
            return  # the client left (or the HTTP edge cut its request off): nobody to answer
        except Exception as exc:
            await _answer(scope, send, exc, started=cycle.response_started if cycle is not None else started)


def edge_cycle(scope: Scope) -> Cycle | None:
    """The request's `Cycle` when the gateway's own protocol serves it (`gateway.protocol`)."""
    extensions = scope.get("extensions")
    edge = extensions.get(EDGE_EXTENSION) if extensions else None
    return edge.get("cycle") if edge else None


async def _answer(scope: Scope, send: Send, exc: Exception, *, started: bool) -> None:
    """Log `exc` with an error id; answer 500 with the id unless the response is under way."""
    error_id = uuid.uuid4().hex[:12]
    log.error("unexpected error %s on %s %s", error_id, scope.get("method"), scope.get("path"), exc_info=exc)
    if started:
        return  # the response is under way: nothing sensible can be sent any more
    body = error_json(dialect_of(str(scope.get("path", ""))), 500, _message(error_id), code="internal_error")
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"x-benchroute-error-id", error_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _message(error_id: str) -> str:
    return f"internal error (id {error_id}); the gateway log has the details"
