"""Schemathesis over every operation of the live gateway's own /openapi.json: whatever it sends,
the gateway answers with no 5xx, no crash and no hang, and the document matches what the gateway
does: a request valid by the schema is accepted (not a 400), the status codes, content types and
response bodies are the documented ones."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from fuzz_harness import Served, served
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

# per operation (the document has ~50 operations); BENCHROUTE_FUZZ_EXAMPLES=100 for a deeper run
EXAMPLES = int(os.environ.get("BENCHROUTE_FUZZ_EXAMPLES", "6"))
CHECKS = (
    checks.not_a_server_error,
    openapi_checks.positive_data_acceptance,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served(tmp_path_factory.mktemp("fuzz-openapi")) as s:
        yield s


def test_openapi_document_is_valid_and_lists_every_route(gateway: Served) -> None:
    doc = requests.get(gateway.base_url + "/openapi.json", timeout=10).json()
    assert doc["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(doc)  # validates the document
    paths = doc["paths"]
    for path in ("/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/models", "/v1/usage",
                 "/v1/decisions", "/v1/decisions/{decision_id}", "/healthz", "/openapi.json"):  # fmt: skip
        assert path in paths, path
    assert "requestBody" in paths["/v1/chat/completions"]["post"]
    assert "429" in paths["/v1/chat/completions"]["post"]["responses"]
    assert sum(1 for r in schema.get_all_operations() if r.ok()) >= 10


def test_no_server_error_and_no_schema_mismatch_on_any_operation(gateway: Served) -> None:
    doc = requests.get(gateway.base_url + "/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(doc)
    auth = {"authorization": f"Bearer {gateway.key}"}
    failures: list[str] = []
    calls = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[hypothesis.Phase.generate],
            )
            @given(case=operation.as_strategy())
            def run(case: Any) -> None:
                nonlocal calls
                headers = (
                    {**auth, **(case.headers or {})} if "authorization" not in (case.headers or {}) else None
                )
                response = case.call(base_url=gateway.base_url, session=session, headers=headers, timeout=15)
                calls += 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except BaseException as exc:  # schemathesis raises a failure group
                    for failure in getattr(exc, "exceptions", [exc]):
                        failures.append(
                            f"{case.method} {case.formatted_path}: {type(failure).__name__} "
                            f"{response.status_code} {response.text[:200]}"
                        )

            run()
    assert calls >= 25 * EXAMPLES
    assert not failures, "\n".join(failures[:20])
    assert requests.get(gateway.base_url + "/healthz", timeout=10).status_code == 200


def test_no_request_is_left_running_after_fuzzing(gateway: Served) -> None:
    assert gateway.state.inflight.count == 0
