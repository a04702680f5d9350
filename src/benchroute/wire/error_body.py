"""The one renderer of an error body, for all three client dialects.

Chat completions and Responses share OpenAI's shape,
``{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}``; Messages uses Anthropic's,
``{"type": "error", "error": {"type": ..., "message": ...}}``. The dialect is chosen once, from the
endpoint (`dialect_of(path)`) or from the pipeline's own `api_kind`; every error body the gateway
sends (pipeline errors, edge and guard rejections, the last-resort 500, mid-stream errors) goes
through `error_body`.
"""

from __future__ import annotations

from typing import Any

import orjson

from benchroute.wire.canonical import ApiKind

# HTTP status -> OpenAI error type
OPENAI_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
    500: "api_error",
    502: "upstream_error",
    503: "service_unavailable",
    504: "upstream_timeout",
}

# HTTP status -> Anthropic error type (https://docs.anthropic.com/en/api/errors)
ANTHROPIC_TYPES: dict[int, str] = {
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

_SUFFIXES: tuple[tuple[str, ApiKind], ...] = (
    ("/chat/completions", "chat"),
    ("/messages", "messages"),
    ("/responses", "responses"),
)


def endpoint_dialect(path: str) -> ApiKind | None:
    """The dialect served at `path`, or None for a path that is not one of the three endpoints."""
    for suffix, kind in _SUFFIXES:
        if path.endswith(suffix):
            return kind
    return None


def dialect_of(path: str) -> ApiKind:
    """The dialect an error at `path` is rendered in: Anthropic's for Messages, OpenAI's elsewhere."""
    return endpoint_dialect(path) or "chat"


def default_type(dialect: ApiKind, status: int) -> str:
    """The error `type` a dialect documents for an HTTP status."""
    types = ANTHROPIC_TYPES if dialect == "messages" else OPENAI_TYPES
    return types.get(status, "invalid_request_error" if status < 500 else "api_error")


def error_body(
    dialect: ApiKind,
    status: int,
    message: str,
    *,
    type: str | None = None,
    code: str | None = None,
    param: str | None = None,
) -> dict[str, Any]:
    """An error body in `dialect`'s shape; `type` defaults to the dialect's type for `status`.

    Anthropic's shape has no `code` or `param`: they are dropped there.
    """
    kind = type or default_type(dialect, status)
    if dialect == "messages":
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def error_json(
    dialect: ApiKind,
    status: int,
    message: str,
    *,
    type: str | None = None,
    code: str | None = None,
    param: str | None = None,
) -> bytes:
    """`error_body` serialised."""
    return orjson.dumps(error_body(dialect, status, message, type=type, code=code, param=param))
