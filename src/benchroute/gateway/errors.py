"""The gateway's one error type, rendered by the wire layer's one error renderer in the client's dialect."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from benchroute.wire.canonical import ApiKind
from benchroute.wire.error_body import default_type, error_body


class GatewayError(Exception):
    """A request failed; `status`, `message`, `code` and `param` go to the client as they are."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.type = type or default_type("chat", status)
        self.headers = headers or {}

    def body(self, dialect: ApiKind = "chat") -> dict[str, Any]:
        """The error in `dialect`'s shape (`type` is OpenAI's; Messages takes Anthropic's for the status)."""
        kind = None if dialect == "messages" else self.type
        return error_body(dialect, self.status, self.message, type=kind, code=self.code, param=self.param)

    def json(self, dialect: ApiKind = "chat") -> bytes:
        """`body(dialect)` serialised."""
        return orjson.dumps(self.body(dialect))

    def response(self, extra_headers: dict[str, str] | None = None, dialect: ApiKind = "chat") -> Response:
        headers = {**self.headers, **(extra_headers or {})}
        return Response(
            self.json(dialect), status_code=self.status, headers=headers, media_type="application/json"
        )
