"""How a mid-stream failure is shown to the client: the error `type`/`code` each API documents,
and a message without library internals.

Internal kinds (`connect`, `timeout`, `truncated`, `protocol`, `server`, an upstream's own type...)
map to documented values: OpenAI `server_error` / `rate_limit_error` (chat completions),
Anthropic `api_error` / `overloaded_error` / `rate_limit_error` (Messages), Responses
`server_error` / `rate_limit_exceeded`. A message naming a Python exception (an HTTP library's
`TransferEncodingError: 400, message=...`) is replaced by a plain sentence for its kind.
"""

from __future__ import annotations

import re

from benchroute.wire.canonical import StreamError

_INTERNALS = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b|message=|Traceback|\bat 0x[0-9a-f]+")
_PLAIN = {
    "connect": "the connection to the upstream model was lost mid-stream",
    "timeout": "the upstream model stopped sending mid-stream (timeout)",
    "truncated": "the upstream model's stream ended before it finished",
    "protocol": "the upstream model sent a malformed stream",
}
_RATE = frozenset({"rate_limit", "rate_limit_error", "rate_limit_exceeded", "429"})
_OVERLOADED = frozenset({"overloaded", "overloaded_error", "529", "503"})


def message(event: StreamError) -> str:
    text = event.message
    if _INTERNALS.search(text):
        return _PLAIN.get(event.kind, "the upstream model failed mid-stream")
    return text


def openai_type(event: StreamError) -> str:
    return "rate_limit_error" if event.kind in _RATE else "server_error"


def anthropic_type(event: StreamError) -> str:
    if event.kind in _RATE:
        return "rate_limit_error"
    return "overloaded_error" if event.kind in _OVERLOADED else "api_error"


def responses_code(event: StreamError) -> str:
    return "rate_limit_exceeded" if event.kind in _RATE else "server_error"
