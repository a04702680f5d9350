"""benchroute.example.toml loads, and documents every setting that exists."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from benchroute.settings import ModelOverride, ProjectSettings, ProviderSettings, Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "benchroute.example.toml"


def _names(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def test_example_config_loads() -> None:
    settings = Settings.load(EXAMPLE)
    assert settings.server.port == 8080 and settings.server.auth == "keys"
    assert settings.providers["local"].kind == "openai"
    assert settings.models[0].id == "local/qwen2.5-coder-7b"
    assert settings.projects["ci"].dial == 0.0


def test_example_config_mentions_every_setting() -> None:
    text = EXAMPLE.read_text()
    sections = {
        "server": _names(type(Settings().server)),
        "store": _names(type(Settings().store)),
        "tiers": _names(type(Settings().tiers)),
        "providers": _names(ProviderSettings),
        "models": _names(ModelOverride),
        "projects": _names(ProjectSettings),
        "top": _names(Settings) - {"server", "store", "tiers", "providers", "models", "projects"},
    }
    missing = {
        section: sorted(n for n in names if f"{n} =" not in text and f"{n}=" not in text)
        for section, names in sections.items()
    }
    assert all(not names for names in missing.values()), missing
