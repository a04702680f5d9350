"""`benchroute keys`, `usage` and `db` through click's CliRunner against a temporary SQLite store."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from benchroute.catalog.loader import load_catalog
from benchroute.cli.main import cli
from benchroute.routing.factory import shipped_defaults
from benchroute.routing.tiers import frontier_model
from benchroute.settings import Settings
from benchroute.store import migrate
from benchroute.store.base import UsageRecord
from benchroute.store.factory import started_store


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "benchroute.toml"
    db = tmp_path / "data" / "cli.db"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n\n[store]\nurl = "sqlite:///{db}"\n')
    return path


def invoke(config: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], obj={}, catch_exceptions=False)
    return result


def settings_of(config: Path) -> Settings:
    return Settings.load(config)


def test_keys_create_list_revoke(config: Path) -> None:
    created = invoke(config, "keys", "create", "--project", "alpha", "--name", "laptop")
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("br-")
    key_id = secret[3:15]
    assert key_id in created.output.splitlines()[0]

    admin = json.loads(invoke(config, "keys", "create", "--project", "*", "--admin", "--json").output)
    assert admin["admin"] and admin["secret"].startswith("br-")

    listed = invoke(config, "keys", "list", "--project", "alpha")
    assert listed.exit_code == 0 and key_id in listed.output and "laptop" in listed.output
    assert secret not in listed.output and "active" in listed.output
    all_keys = json.loads(invoke(config, "keys", "list", "--json").output)
    assert {k["id"] for k in all_keys} == {key_id, admin["id"]}

    async def verify() -> bool:
        async with started_store(settings_of(config)) as store:
            return await store.verify_key(secret) is not None

    assert asyncio.run(verify())
    revoked = invoke(config, "keys", "revoke", key_id)
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    assert not asyncio.run(verify())
    again = CliRunner().invoke(cli, ["--config", str(config), "keys", "revoke", key_id], obj={})
    assert again.exit_code != 0 and "no active key" in again.output
    assert "revoked" in invoke(config, "keys", "list").output


def _usage(i: int, **kw: Any) -> UsageRecord:
    base: dict[str, Any] = dict(
        time=datetime(2026, 11, 20 + i % 2, 12, tzinfo=UTC),
        project="alpha",
        key_id="k",
        session_key=f"s{i % 3}",
        client_name="kilo-code",
        client_version="5.2.3",
        api_kind="chat",
        requested_model="auto",
        tier="auto/efficient",
        routed_model="small" if i % 2 else "big",
        provider="local",
        prompt_tokens=1000,
        completion_tokens=100,
        cost_usd=0.01,
        frontier_cost_usd=0.05,
    )
    base.update(kw)
    return UsageRecord(id=f"u{i}", **base)


def _seed(config: Path, records: list[UsageRecord]) -> None:
    async def go() -> None:
        async with started_store(settings_of(config)) as store:
            await store.write_usage(records)

    asyncio.run(go())


def test_usage_table_and_json(config: Path) -> None:
    assert "No usage recorded" in invoke(config, "usage").output
    _seed(config, [_usage(i) for i in range(6)] + [_usage(9, project="beta", routed_model="other")])

    table = invoke(config, "usage", "--project", "alpha")
    assert table.exit_code == 0, table.output
    assert "big" in table.output and "small" in table.output and "other" not in table.output
    # savings (benchroute.savings): each request's tokens at the always-Frontier model's rates (no mode:
    # the implementation model) minus its cost
    settings = settings_of(config)
    catalog = load_catalog(settings)
    defaults = shipped_defaults(catalog, settings)
    frontier = catalog.get(frontier_model("implementation", settings.tiers, defaults))
    assert frontier is not None
    per_request = frontier.cost(1000, 100)
    saved = 6 * (per_request - 0.01)
    assert "total" in table.output and f"${saved:,.4f} ({saved / (6 * per_request):.0%})" in table.output

    data = json.loads(invoke(config, "usage", "--by", "day", "--json").output)
    assert [(r["day"], r["requests"]) for r in data["rows"]] == [("2026-11-20", 3), ("2026-11-21", 4)]
    assert data["total"]["requests"] == 7
    assert data["total"]["savings_usd"] == pytest.approx(7 * (per_request - 0.01))
    assert data["total"]["savings"]["compared_requests"] == 7

    by_session = json.loads(invoke(config, "usage", "--by", "session", "--by", "model", "--json").output)
    assert {(r["session"], r["model"]) for r in by_session["rows"]} >= {("s0", "big"), ("s1", "small")}

    window = json.loads(
        invoke(config, "usage", "--since", "2026-11-21", "--until", "2026-11-21", "--json").output
    )
    assert window["total"]["requests"] == 4

    bad = CliRunner().invoke(cli, ["--config", str(config), "usage", "--since", "yesterday"], obj={})
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_db_upgrade_and_current(config: Path) -> None:
    before = invoke(config, "db", "current")
    assert before.exit_code == 0 and "revision none" in before.output and "needs" in before.output
    head = migrate.head_revision()
    assert head is not None and head >= "0003"
    up = invoke(config, "db", "upgrade")
    assert up.exit_code == 0 and f"at revision {head}" in up.output
    assert f"at revision {head}" in invoke(config, "db", "upgrade").output  # idempotent
    after = invoke(config, "db", "current")
    assert f"revision {head}" in after.output and "up to date" in after.output


def test_db_on_a_memory_store(tmp_path: Path) -> None:
    path = tmp_path / "mem.toml"
    path.write_text('[store]\nurl = "memory://"\n')
    assert "nothing to migrate" in invoke(path, "db", "upgrade").output
    assert "no migrations" in invoke(path, "db", "current").output


def test_provider_keys_set_list_delete_never_echo_the_secret(config: Path) -> None:
    secret = "sk-live-0123456789abcdefWXYZ"
    stored = CliRunner().invoke(
        cli,
        ["--config", str(config), "keys", "provider", "set", "--project", "alpha", "openai"],
        input=secret + "\n",
        obj={},
        catch_exceptions=False,
    )
    assert stored.exit_code == 0, stored.output
    assert secret not in stored.output.replace("Provider key: \n", "")
    assert "sk-...WXYZ" in stored.output
    listed = invoke(config, "keys", "provider", "list", "--project", "alpha")
    assert "openai\tsk-...WXYZ" in listed.output and secret not in listed.output
    assert "No provider keys" in invoke(config, "keys", "provider", "list", "--project", "beta").output
    # encrypted at rest: the plaintext is nowhere in the database files
    for path in config.parent.rglob("*.db*"):
        assert secret.encode() not in path.read_bytes()
    assert "Deleted" in invoke(config, "keys", "provider", "delete", "--project", "alpha", "openai").output
    again = CliRunner().invoke(
        cli, ["--config", str(config), "keys", "provider", "delete", "--project", "alpha", "openai"], obj={}
    )
    assert again.exit_code != 0 and "has no key" in again.output


def test_usage_shows_errors_and_unrouted_requests_and_fits_80_columns(config: Path) -> None:
    failed = _usage(7, routed_model="", status=503, cost_usd=0.0, frontier_cost_usd=None, prompt_tokens=0)
    long_id = "openrouter/mistralai/mistral-small-3.2-24b-instruct:free"
    _seed(config, [_usage(1), _usage(2, routed_model=long_id), failed])
    result = CliRunner().invoke(cli, ["--config", str(config), "usage"], obj={}, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = lines[0].split()
    assert header[:4] == ["model", "reqs", "err", "cost"]
    unrouted = next(line for line in lines if line.startswith("(not routed)"))
    assert unrouted.split()[2:4] == ["1", "1"]  # one request, one error
    assert any(line.startswith(long_id + " ") for line in lines)
    total = next(line for line in lines if line.startswith("total"))
    assert total.split()[1:3] == ["3", "1"]

    csv_out = invoke(config, "usage", "--format", "csv").output.splitlines()
    assert csv_out[0].startswith("model,requests,") and "errors" in csv_out[0].split(",")
    assert len(csv_out) == 4


def test_usage_credits_no_saving_for_a_request_the_frontier_model_could_not_serve(config: Path) -> None:
    """The user's case: one 1.8M-token request served by a 2M-context model, which a 1M-context
    Frontier model could not have served, was credited ~$99 (98%) saved."""
    huge = _usage(3, prompt_tokens=1_800_000, cost_usd=0.36, frontier_cost_usd=None, frontier_unfit="context")
    _seed(config, [_usage(1), huge])
    data = json.loads(invoke(config, "usage", "--json").output)
    total = data["total"]
    assert total["requests"] == 2 and total["savings"]["compared_requests"] == 1
    assert total["savings"]["left_out"]["frontier_unfit"] == 1
    assert total["savings"]["left_out"]["frontier_unfit_cost_usd"] == pytest.approx(0.36)
    settings = settings_of(config)
    catalog = load_catalog(settings)
    frontier = catalog.get(
        frontier_model("implementation", settings.tiers, shipped_defaults(catalog, settings))
    )
    assert frontier is not None
    # only the ordinary request is compared: its tokens at Frontier rates minus its cost
    assert total["savings_usd"] == pytest.approx(frontier.cost(1000, 100) - 0.01)
    table = invoke(config, "usage").output
    assert "could not have served" in table
