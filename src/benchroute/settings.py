"""Typed settings: a TOML file plus BENCHROUTE_* environment variables, built once.

Precedence (highest first): keyword arguments, environment (`BENCHROUTE_SERVER__PORT=9000`),
the TOML file (`--config` / `BENCHROUTE_CONFIG`), defaults. `benchroute.example.toml` in the
repository documents every setting.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class _Section(BaseModel):
    """A config section: unknown keys are errors, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid")


def default_data_dir() -> Path:
    return Path(os.environ.get("BENCHROUTE_HOME") or user_data_dir("benchroute", appauthor=False))


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 8080
    auth: Literal["keys", "none"] = "keys"
    secret: str | None = None  # encrypts BYOK keys; generated into the data dir when unset
    admin_key: str | None = None  # a gateway admin key (dashboard, all projects)
    max_body_bytes: int = 8 * 1024 * 1024
    max_header_count: int = 100  # more request headers -> 431
    max_header_bytes: int = 32 * 1024  # more bytes of request headers (names + values) -> 431
    body_timeout: float = 60.0  # longest time to receive a whole request body (slow clients -> 408)
    route_concurrency: int = 2  # concurrent POST /v1/route previews per project (more -> 429)
    header_timeout: float = 10.0  # longest time to receive a request head, from connect or the last response
    keepalive_seconds: float = 15.0  # SSE comment while the upstream is silent
    connect_timeout: float = 10.0
    read_timeout: float = 300.0  # longest silence from an upstream
    retries: int = 1  # retries on the same model before failing over
    cooldown_failures: int = 3  # consecutive failures that put a model in cooldown
    cooldown_seconds: float = 60.0
    discover_local: bool = True  # look for Ollama (11434) and LM Studio (1234) on start
    # seconds of request work one event-loop pass runs before more waits a pass, so timers, I/O
    # and streams are not kept behind a queue of new requests (gateway.loopbudget); 0: off
    loop_budget: float = Field(default=0.0005, ge=0)

    @model_validator(mode="after")
    def _no_auth_only_on_loopback(self) -> ServerSettings:
        if self.auth == "none" and self.host not in LOOPBACK_HOSTS:
            raise ValueError(
                f"server.auth = 'none' is allowed only on a loopback address, not on {self.host!r}"
            )
        return self


class StoreSettings(_Section):
    url: str | None = None  # default: sqlite file in the data dir
    redis_url: str | None = None
    batch_size: int = 200
    flush_interval: float = 0.05
    queue_size: int = 10_000
    wal: bool = True  # write each usage record ahead to data_dir/usage-wal before the response ends
    wal_fsync: bool = False  # also fsync each one (survives a power loss, not just a process crash)


class ProviderSettings(_Section):
    kind: Literal["openai", "anthropic", "ollama", "fake"] = "openai"
    base_url: str
    api_key: str | None = None
    api_key_env: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float | None = None

    def resolved_key(self) -> str | None:
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            return os.environ.get(self.api_key_env) or None
        return None


class ModelOverride(_Section):
    """A `[[models]]` entry: adds a model to the catalog or overrides fields of a shipped one."""

    id: str
    provider: str | None = None
    upstream_id: str | None = None
    name: str | None = None
    context: int | None = None
    max_output: int | None = None
    input_price: float | None = None
    output_price: float | None = None
    cache_read_price: float | None = None
    cache_write_price: float | None = None
    tools: bool | None = None
    vision: bool | None = None
    reasoning: bool | None = None
    free: bool | None = None
    apis: list[Literal["chat", "messages", "responses"]] | None = None


class TierSettings(_Section):
    balanced: dict[str, str] = Field(default_factory=dict)  # api kind -> catalog id
    frontier: dict[str, str] = Field(default_factory=dict)  # "reasoning"/"implementation" -> id
    free_pool: str | None = None  # path of the free pool TOML, reloaded when it changes
    default: str | None = None  # model for auto tiers when nothing else is configured
    min_client_versions: dict[str, str] = Field(
        default_factory=lambda: {"kilo-cli": "1.0.15", "kilo-code": "5.2.3"}
    )


class ProjectSettings(_Section):
    tier: str = "auto/efficient"
    dial: float = Field(default=0.5, ge=0.0, le=1.0)
    min_confidence: float = Field(default=0.6, ge=0.0, le=1.0)
    allowed_models: list[str] = Field(default_factory=lambda: ["*"])
    switch_saving: float = Field(default=0.5, ge=0.0, le=1.0)
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    daily_budget_usd: float | None = None
    monthly_budget_usd: float | None = None
    budget_warn_share: float = 0.8
    # the same limits for each gateway key of the project on its own (None: no per-key limit)
    key_requests_per_minute: int | None = None
    key_tokens_per_minute: int | None = None
    key_daily_budget_usd: float | None = None
    key_monthly_budget_usd: float | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BENCHROUTE_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=None,
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    server: ServerSettings = Field(default_factory=ServerSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    models: list[ModelOverride] = Field(default_factory=list)
    tiers: TierSettings = Field(default_factory=TierSettings)
    projects: dict[str, ProjectSettings] = Field(default_factory=lambda: {"default": ProjectSettings()})
    leaderboard: str | None = None  # path of a leaderboard snapshot; default: the shipped one
    classifier: str | None = None  # path of a classifier artifact; default: the shipped one

    @field_validator("projects")
    @classmethod
    def _has_default_project(cls, v: dict[str, ProjectSettings]) -> dict[str, ProjectSettings]:
        v.setdefault("default", ProjectSettings())
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML source reads `model_config["toml_file"]`; `load` sets it on a subclass.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @classmethod
    def load(cls, config: str | Path | None = None, **overrides: Any) -> Settings:
        """Build settings from a TOML file (argument or BENCHROUTE_CONFIG), the environment and
        keyword overrides."""
        config = config or os.environ.get("BENCHROUTE_CONFIG") or None
        if config is None:
            return cls(**overrides)
        path = Path(config)
        if not path.is_file():
            raise FileNotFoundError(f"config file not found: {path}")
        from_file = type(cls.__name__, (cls,), {"model_config": {**cls.model_config, "toml_file": path}})
        settings: Settings = from_file(**overrides)
        return settings

    def project(self, name: str) -> ProjectSettings:
        return self.projects.get(name) or self.projects["default"]

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{self.data_dir / 'benchroute.db'}"
