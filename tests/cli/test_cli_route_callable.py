"""`benchroute route` says when its choice is not callable here, and what the gateway would pick."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from benchroute.cli.main import cli
from benchroute.providers.registry import BUILTIN_PROVIDERS

PROMPT = "why does this raise KeyError? Traceback ..."


@pytest.fixture(autouse=True)
def _no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for spec in BUILTIN_PROVIDERS:
        if spec.api_key_env:
            monkeypatch.delenv(spec.api_key_env, raising=False)


def test_route_without_keys_says_the_choice_is_not_callable() -> None:
    result = CliRunner().invoke(cli, ["route", PROMPT, "--mode", "debug", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    provider = data["model"].split("/")[0]
    env = next(s.api_key_env for s in BUILTIN_PROVIDERS if s.name == provider)
    assert data["callable_here"] is False and data["not_callable_because"] == f"{env} is not set"
    assert data["gateway_would_pick"] is None


def test_route_names_the_gateways_pick_when_another_provider_has_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    result = CliRunner().invoke(cli, ["route", PROMPT, "--mode", "debug"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    note = next(line for line in result.output.splitlines() if line.startswith("note: "))
    assert "is not callable here" in note and "the gateway would pick openrouter/" in note
    keyed = json.loads(
        CliRunner().invoke(cli, ["route", PROMPT, "--mode", "debug", "--keyed-only", "--json"]).output
    )
    assert keyed["callable_here"] is True and note.rstrip(".").endswith(keyed["model"])
