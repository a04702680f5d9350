"""The one error renderer: the dialect is chosen once and each dialect keeps its documented shape."""

from __future__ import annotations

import orjson

from benchroute.wire.error_body import dialect_of, endpoint_dialect, error_body, error_json


def test_dialect_is_chosen_by_endpoint() -> None:
    assert dialect_of("/v1/messages") == "messages"
    assert dialect_of("/v1/chat/completions") == "chat"
    assert dialect_of("/v1/responses") == "responses"
    assert dialect_of("/v1/models") == "chat"
    assert endpoint_dialect("/v1/models") is None
    assert endpoint_dialect("/p/team/v1/messages") == "messages"


def test_openai_shape_for_chat_and_responses_keeps_key_order() -> None:
    for dialect in ("chat", "responses"):
        raw = error_json(dialect, 431, "too many headers", code="headers_too_large")
        assert raw == (
            b'{"error":{"message":"too many headers","type":"invalid_request_error",'
            b'"param":null,"code":"headers_too_large"}}'
        )
    assert error_body("chat", 502, "x")["error"]["type"] == "upstream_error"
    assert error_body("chat", 599, "x")["error"]["type"] == "api_error"
    assert error_body("chat", 400, "x", param="model")["error"]["param"] == "model"


def test_anthropic_shape_types_by_status_and_drops_code() -> None:
    raw = error_json("messages", 413, "too big", code="body_too_large")
    expected = {"type": "error", "error": {"type": "request_too_large", "message": "too big"}}
    assert orjson.loads(raw) == expected
    assert raw.startswith(b'{"type":"error","error":{"type":')
    assert error_body("messages", 503, "busy")["error"]["type"] == "overloaded_error"
    assert error_body("messages", 431, "h")["error"]["type"] == "invalid_request_error"
    assert error_body("messages", 500, "m", type="overloaded_error")["error"]["type"] == "overloaded_error"
