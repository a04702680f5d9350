"""The shipped catalog, config overrides and discovered local models."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchroute.catalog.loader import CatalogError, load_catalog, read_catalog_file, shipped_catalog_path
from benchroute.providers.discovery import LocalServer
from benchroute.providers.registry import BUILTIN_PROVIDERS
from benchroute.settings import Settings


def test_shipped_catalog_has_priced_current_models() -> None:
    catalog = load_catalog(Settings())
    assert len(catalog) >= 40
    builtin = {spec.name for spec in BUILTIN_PROVIDERS}
    families = {"openai", "anthropic", "google", "deepseek", "mistral", "xai", "openrouter"}
    assert families <= {m.provider for m in catalog}
    for model in catalog:
        assert model.provider in builtin, model.id
        assert model.id.startswith(model.provider + "/")
        assert model.price_source.startswith("genai-prices"), model.id
        assert model.context >= 8192
        if model.free:
            assert model.input_price == model.output_price == 0.0
            assert model.upstream_id.endswith(":free")
        else:
            # plausible USD per 1M tokens: non-zero, output >= input, nothing absurd
            assert 0.0 < model.input_price <= 30.0, model.id
            assert model.input_price <= model.output_price <= 100.0, model.id


def test_known_prices() -> None:
    catalog = load_catalog()
    gpt5 = catalog.get("openai/gpt-5")
    assert gpt5 is not None and (gpt5.input_price, gpt5.output_price) == (1.25, 10.0)
    sonnet = catalog.get("anthropic/claude-sonnet-4-20250514")
    assert sonnet is not None and (sonnet.input_price, sonnet.output_price) == (3.0, 15.0)
    assert sonnet.apis == frozenset({"messages"})
    assert sonnet.cost(1_000_000, 0, cached_tokens=1_000_000) == pytest.approx(0.3)


def test_free_models_flagged() -> None:
    free = load_catalog().free_models()
    assert len(free) >= 5
    assert all(m.provider == "openrouter" for m in free)


def test_every_model_of_the_shipped_leaderboard_is_in_the_catalog() -> None:
    from benchroute.routing.evidence import load_default_snapshot, split_variant

    catalog = load_catalog()
    models = load_default_snapshot().models()
    assert models, "the shipped leaderboard is empty"
    missing = [m for m in models if split_variant(m)[0] not in catalog]  # "model@effort": a variant
    assert missing == []


def test_overrides_replace_fields_and_add_models() -> None:
    settings = Settings(
        models=[
            {"id": "openai/gpt-4o", "input_price": 1.0, "context": 64000},
            {"id": "local/smollm2", "provider": "local", "upstream_id": "smollm2", "context": 2048},
            {
                "id": "box/qwen",
                "input_price": 0.0,
                "output_price": 0.0,
                "free": True,
                "apis": ["chat", "messages"],
            },
        ]
    )
    catalog = load_catalog(settings)
    gpt4o = catalog.get("openai/gpt-4o")
    assert gpt4o is not None
    assert (gpt4o.input_price, gpt4o.output_price, gpt4o.context) == (1.0, 10.0, 64000)
    assert gpt4o.price_source == "config"
    local = catalog.get("local/smollm2")
    assert local is not None and (local.provider, local.upstream_id, local.context) == (
        "local",
        "smollm2",
        2048,
    )
    assert local.input_price == 0.0 and not local.free
    box = catalog.get("box/qwen")
    assert box is not None and (box.provider, box.upstream_id) == ("box", "qwen")
    assert box.free and box.apis == frozenset({"chat", "messages"})


def test_discovered_local_models_are_free_and_local() -> None:
    found = [LocalServer("ollama", "ollama", "http://127.0.0.1:11434/v1", ["qwen2.5-coder:7b"])]
    settings = Settings(models=[{"id": "ollama/qwen2.5-coder:7b", "context": 32768}])
    catalog = load_catalog(settings, discovered=found)
    model = catalog.get("ollama/qwen2.5-coder:7b")
    assert model is not None
    assert model.local and model.free and model.cost(1000, 1000) == 0.0
    assert model.upstream_id == "qwen2.5-coder:7b" and model.context == 32768
    assert "openai/gpt-5" in catalog


def test_bad_catalog_file(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[[models]]\nid = "x/y"\nprovider = "x"\nupstream_id = "y"\ncolour = "red"\n')
    with pytest.raises(CatalogError, match="colour"):
        read_catalog_file(bad)
    bad.write_text('[[models]]\nid = "x/y"\nprovider = "x"\nupstream_id = "y"\napis = ["fax"]\n')
    with pytest.raises(CatalogError, match="fax"):
        read_catalog_file(bad)


def test_catalog_ships_inside_the_package() -> None:
    path = shipped_catalog_path()
    assert path.is_file()
    assert path.parent.name == "data" and path.parent.parent.name == "benchroute"


def test_run_time_does_not_import_genai_prices() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from benchroute.catalog.loader import load_catalog; load_catalog(); "
        "print('genai_prices' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
