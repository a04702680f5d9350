"""Every field of every dialect, given a structurally wrong value (an object where a string is
expected, a list where an object is, a number, a boolean): the parser accepts it or answers a 4xx
`WireError`, never another exception; an accepted body also renders for every upstream dialect.
Through the real gateway, the issue's repros and a sample of the mutations answer a 4xx in the
dialect's error shape."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from fuzz_harness import Served, served
from structure import SEEDS, mutations

from benchroute.gateway import chat, messages, responses
from benchroute.wire import anthropic as wire_anthropic
from benchroute.wire import chat as wire_chat
from benchroute.wire import responses as wire_responses
from benchroute.wire.canonical import ChatRequest, RequestContext
from benchroute.wire.errors import WireError

PARSERS: dict[str, Callable[[dict[str, Any], RequestContext], ChatRequest]] = {
    "/v1/chat/completions": chat.CHAT.parse_request,
    "/v1/messages": messages.MESSAGES.parse_request,
    "/v1/responses": responses.RESPONSES.parse_request,
}


def _render_everywhere(request: ChatRequest) -> None:
    wire_chat.render_request(request, "m")
    wire_anthropic.render_request(request, "m")
    wire_responses.render_request(request, "m")


@pytest.mark.parametrize("path", sorted(SEEDS))
def test_the_seed_is_valid(path: str) -> None:
    _render_everywhere(PARSERS[path](SEEDS[path], RequestContext()))


@pytest.mark.parametrize("path", sorted(SEEDS))
def test_every_wrong_value_of_every_field_is_accepted_or_a_4xx(path: str) -> None:
    failures: list[str] = []
    rejected = 0
    for label, body in mutations(SEEDS[path]):
        try:
            request = PARSERS[path](body, RequestContext())
        except WireError as exc:
            rejected += 1
            if not 400 <= exc.status < 500:
                failures.append(f"{label}: status {exc.status}")
            continue
        except Exception as exc:
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
            continue
        try:
            _render_everywhere(request)
        except Exception as exc:
            failures.append(f"{label}: accepted, then rendering failed: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures[:40])
    assert rejected > 100  # the mutations do reach the type checks


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("fuzz-structure")) as s:
        yield s


def _post(gateway: Served, path: str, body: Any) -> requests.Response:
    headers = {"authorization": f"Bearer {gateway.key}", "content-type": "application/json"}
    return requests.post(gateway.base_url + path, data=json.dumps(body), headers=headers, timeout=15)


def _assert_dialect_error(path: str, r: requests.Response) -> None:
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])
    doc = r.json()
    if path.endswith("/messages"):
        assert doc["type"] == "error" and isinstance(doc["error"]["message"], str), doc
    else:
        assert isinstance(doc["error"]["message"], str) and "type" in doc["error"], doc


REPROS = [
    (
        "/v1/messages",
        {
            "model": "up/small",
            "max_tokens": 5,
            "system": [{"type": {}}],
            "messages": [{"role": "user", "content": "hi"}],
        },
    ),
    (
        "/v1/messages",
        {"model": "up/small", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": []}]}]},
    ),
    (
        "/v1/messages",
        {
            "model": "up/small",
            "max_tokens": 5,
            "messages": [{"role": "assistant", "content": [{"type": {}}]}],
        },
    ),
    ("/v1/responses", {"model": "up/small", "input": [{"role": "user", "content": [{"type": {}}]}]}),
    ("/v1/responses", {"model": "up/small", "input": [{"type": [], "role": "user"}]}),
    (
        "/v1/chat/completions",
        {"model": "up/small", "messages": [{"role": "user", "content": [{"type": {}}]}]},
    ),
]


@pytest.mark.parametrize(("path", "body"), REPROS)
def test_the_issue_repros_answer_400_in_the_dialect_shape(gateway: Served, path: str, body: Any) -> None:
    r = _post(gateway, path, body)
    assert r.status_code == 400, r.text[:300]
    _assert_dialect_error(path, r)


@pytest.mark.parametrize("path", sorted(SEEDS))
def test_wrong_values_through_the_gateway_never_answer_5xx(gateway: Served, path: str) -> None:
    sample = [body for i, (_, body) in enumerate(mutations(SEEDS[path])) if i % 7 == 0]
    session = requests.Session()
    headers = {"authorization": f"Bearer {gateway.key}", "content-type": "application/json"}
    for body in sample:
        body["stream"] = False if not isinstance(body.get("stream"), bool) else body["stream"]
        r = session.post(gateway.base_url + path, data=json.dumps(body), headers=headers, timeout=15)
        assert r.status_code < 500, (body, r.status_code, r.text[:300])
        if r.status_code >= 400:
            _assert_dialect_error(path, r)


@pytest.mark.parametrize("path", sorted(SEEDS))
def test_more_items_than_the_cost_bound_is_413_before_parsing(path: str) -> None:
    many = [{"role": "user", "content": "hi"}] * 10_001
    body = {"model": "up/small", "max_tokens": 5, "messages": many, "input": many}
    with pytest.raises(WireError) as info:
        PARSERS[path](body, RequestContext())
    assert info.value.status == 413 and "over 10000" in info.value.message
    blocks = [{"role": "user", "content": [{"type": "text", "text": "a"}] * 6000}] * 2
    with pytest.raises(WireError) as info:
        PARSERS[path]({**body, "messages": blocks, "input": blocks}, RequestContext())
    assert info.value.status == 413
