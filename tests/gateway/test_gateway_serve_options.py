"""`benchroute serve` refuses unsafe option combinations before starting anything."""

from __future__ import annotations

from click.testing import CliRunner

from benchroute.cli.main import cli


def test_no_auth_on_a_public_address_is_refused() -> None:
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--no-auth"])
    assert result.exit_code != 0
    assert "loopback" in result.output


def test_serve_help_lists_the_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--no-auth", "--access-log"):
        assert option in result.output
