from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from benchroute.settings import Settings


def test_defaults_need_no_file(_isolated_home: Path) -> None:
    s = Settings.load()
    assert s.server.port == 8080
    assert s.store_url == f"sqlite:///{_isolated_home / 'benchroute.db'}"
    assert "default" in s.projects


def test_toml_file_and_nested_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "b.toml"
    cfg.write_text(
        '[server]\nport = 9001\n\n[providers.local]\nkind = "openai"\nbase_url = "http://127.0.0.1:8000/v1"\n'
        "\n[projects.team]\ndial = 0.9\n"
    )
    monkeypatch.setenv("BENCHROUTE_SERVER__HOST", "::1")
    s = Settings.load(cfg)
    assert s.server.port == 9001
    assert s.server.host == "::1"
    assert s.providers["local"].base_url == "http://127.0.0.1:8000/v1"
    assert s.project("team").dial == 0.9
    assert s.project("nope").dial == 0.5  # unknown project -> default settings
    monkeypatch.setenv("BENCHROUTE_SERVER__PORT", "9100")
    assert Settings.load(cfg).server.port == 9100  # env beats the file


def test_no_auth_refused_off_loopback() -> None:
    with pytest.raises(ValidationError, match="loopback"):
        Settings.load(server={"host": "0.0.0.0", "auth": "none"})
    assert Settings.load(server={"host": "127.0.0.1", "auth": "none"}).server.auth == "none"


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="config file not found"):
        Settings.load(tmp_path / "missing.toml")


def test_unknown_setting_is_rejected(tmp_path: Path) -> None:
    cfg = tmp_path / "b.toml"
    cfg.write_text("[server]\nprot = 1\n")
    with pytest.raises(ValidationError, match="prot"):
        Settings.load(cfg)
