"""`benchroute doctor` and the `serve` banner: what is callable here, and what to do."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from benchroute.catalog.loader import load_catalog
from benchroute.cli.main import cli
from benchroute.cli.readiness import status_lines, tier_statuses
from benchroute.gateway.app import build_engine
from benchroute.providers.readiness import gateway_keys_in_env, provider_readiness
from benchroute.providers.registry import BUILTIN_PROVIDERS, provider_specs
from benchroute.settings import Settings


@pytest.fixture(autouse=True)
def _no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for spec in BUILTIN_PROVIDERS:
        if spec.api_key_env:
            monkeypatch.delenv(spec.api_key_env, raising=False)


def _config(tmp_path: object) -> list[str]:
    path = tmp_path / "c.toml"  # type: ignore[operator]
    path.write_text("[server]\ndiscover_local = false\n")
    return ["--config", str(path)]


def test_doctor_fails_when_auto_cannot_route_and_names_the_keys(tmp_path: object) -> None:
    result = CliRunner().invoke(cli, [*_config(tmp_path), "doctor"])
    assert result.exit_code == 1, result.output
    assert "OPENAI_API_KEY is not set" in result.output
    assert "auto/efficient" in result.output and "cannot route" in result.output
    assert "ok  store" in result.output and "ok  classifier" in result.output


def test_doctor_passes_with_a_key_and_never_prints_it(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test-0123456789")
    result = CliRunner().invoke(cli, [*_config(tmp_path), "doctor", "--json"])
    assert result.exit_code == 0, result.output
    assert "sk-or-test" not in result.output
    checks = {c["name"]: c for c in json.loads(result.output)["checks"]}
    assert (
        checks["key openrouter"]["ok"] and checks["key openrouter"]["detail"] == "OPENROUTER_API_KEY is set"
    )
    assert checks["auto/efficient"]["ok"] and checks["auto/free"]["ok"]


def test_a_gateway_key_in_a_provider_variable_is_reported_and_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "br-0123456789ab-rest")
    settings = Settings()
    assert gateway_keys_in_env(settings) == ["OPENAI_API_KEY"]
    assert provider_specs(settings)["openai"].resolved_key() is None
    readiness = provider_readiness(settings)
    assert not readiness["openai"].ready and "gateway key" in readiness["openai"].why


def test_banner_lines_say_per_tier_what_is_callable(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(server={"discover_local": False})
    catalog = load_catalog(settings)
    readiness = provider_readiness(settings)
    lines = status_lines(
        tier_statuses(settings, catalog, build_engine(settings, catalog), readiness), readiness
    )
    text = "\n".join(lines)
    assert "auto/efficient  CANNOT ROUTE" in text and "openai      OPENAI_API_KEY is not set" in text
    assert "to fix: set a provider key" in text

    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    readiness = provider_readiness(settings)
    statuses = tier_statuses(settings, catalog, build_engine(settings, catalog), readiness)
    free = next(s for s in statuses if s.tier == "auto/free")
    assert free.ok and free.sample is not None and free.sample.startswith("openrouter/")


def test_commands_name_their_extra_when_it_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchroute.cli import main

    monkeypatch.setitem(main.EXTRAS, "bench", ("bench", ("jsonschema", "no_such_module_for_this_test")))
    result = CliRunner().invoke(cli, ["bench", "--help"])
    assert result.exit_code == 1
    assert "needs no_such_module_for_this_test: pip install 'benchroute[bench]'" in result.output
    assert CliRunner().invoke(cli, ["evaluate", "--help"]).exit_code == 0  # present: no complaint
