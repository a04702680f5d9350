"""Which providers the gateway can call here, and why the others cannot.

One answer for the start-up banner, `benchroute doctor`, `benchroute models`, `/v1/models` and the
gateway's errors: a provider is ready when its key variable holds a provider key, when it is
configured in `[providers.*]` (self-hosted servers need no key), or when it is a local server
found at start. A variable that holds a benchroute gateway key (`br-…`) does not count: that key
means nothing to the upstream, and sending it there would leak it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from benchroute.catalog.model import Catalog
from benchroute.providers.registry import GATEWAY_KEY_PREFIX, provider_specs
from benchroute.settings import Settings

LOCAL_HINT = "start Ollama (127.0.0.1:11434) or LM Studio (127.0.0.1:1234) and restart the gateway"


@dataclass(frozen=True, slots=True)
class ProviderReadiness:
    """One provider: can the gateway call it with its own credentials, and why (never the key)."""

    name: str
    ready: bool
    why: str  # "OPENAI_API_KEY is set", "OPENAI_API_KEY is not set", "local server at …", …
    env_var: str | None = None  # the variable its key comes from, when it has one

    @property
    def fix(self) -> str:
        """What to do to make it ready ("" when it is)."""
        if self.ready:
            return ""
        if self.env_var:
            return f"export {self.env_var}=<your {self.name} key>"
        return f"configure [providers.{self.name}] in the config"


def gateway_keys_in_env(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """Provider key variables that hold a benchroute gateway key instead of a provider key."""
    env = os.environ if environ is None else environ
    names = {spec.api_key_env for spec in provider_specs(settings).values() if spec.api_key_env}
    return sorted(n for n in names if env.get(n, "").startswith(GATEWAY_KEY_PREFIX))


def provider_readiness(
    settings: Settings, discovered: Iterable[object] = (), environ: Mapping[str, str] | None = None
) -> dict[str, ProviderReadiness]:
    """Every built-in, configured and discovered provider, by name."""
    env = os.environ if environ is None else environ
    out: dict[str, ProviderReadiness] = {}
    for name, spec in provider_specs(settings).items():
        var = spec.api_key_env
        value = (env.get(var) or "") if var else ""
        if spec.api_key and not spec.api_key.startswith(GATEWAY_KEY_PREFIX):
            out[name] = ProviderReadiness(name, True, "key set in the config", var)
        elif value.startswith(GATEWAY_KEY_PREFIX):
            why = f"{var} holds a benchroute gateway key (br-…), not the {name} provider's own key"
            out[name] = ProviderReadiness(name, False, why, var)
        elif value:
            out[name] = ProviderReadiness(name, True, f"{var} is set", var)
        elif name in settings.providers or spec.kind in ("fake", "ollama"):
            out[name] = ProviderReadiness(name, True, f"configured at {spec.base_url}", var)
        elif var:
            out[name] = ProviderReadiness(name, False, f"{var} is not set", var)
        else:
            out[name] = ProviderReadiness(name, False, "no key configured", None)
    for server in discovered:
        name = str(getattr(server, "name", ""))
        out[name] = ProviderReadiness(name, True, f"local server at {getattr(server, 'base_url', '?')}")
    return out


def ready_providers(readiness: Mapping[str, ProviderReadiness]) -> set[str]:
    return {name for name, r in readiness.items() if r.ready}


def model_readiness(
    catalog: Catalog, readiness: Mapping[str, ProviderReadiness]
) -> dict[str, ProviderReadiness]:
    """Each catalog model's provider readiness (a local model is ready: it was found)."""
    out: dict[str, ProviderReadiness] = {}
    for info in catalog:
        found = readiness.get(info.provider)
        if info.local:
            out[info.id] = ProviderReadiness(info.provider, True, "local model")
        elif found is None:
            why = f"provider {info.provider!r} is not configured"
            out[info.id] = ProviderReadiness(info.provider, False, why)
        else:
            out[info.id] = found
    return out


def missing_keys(models: Iterable[str], by_model: Mapping[str, ProviderReadiness]) -> list[str]:
    """The key variables (or provider sections) that would make `models` callable, most needed first."""
    counts: dict[str, int] = {}
    for model in models:
        r = by_model.get(model)
        if r is None or r.ready:
            continue
        label = r.env_var or f"[providers.{r.name}]"
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], k))


def not_callable_message(
    tier: str, candidates: Iterable[str], by_model: Mapping[str, ProviderReadiness]
) -> str:
    """Why `tier` has no callable model here, and what to change."""
    wanted = list(candidates)
    keys = missing_keys(wanted, by_model)
    shown = ", ".join(keys[:6]) + (", …" if len(keys) > 6 else "")
    gateway_held = sorted({r.env_var for r in by_model.values() if r.env_var and "gateway key" in r.why})
    parts = [f"{tier!r} cannot route: no model it may use can be called from this gateway."]
    if keys:
        parts.append(f"Set a provider key in the gateway's environment ({shown}) and restart it,")
        parts.append(f"or {LOCAL_HINT},")
        parts.append("or add one with `benchroute keys provider set --project NAME PROVIDER`.")
    else:
        parts.append(f"No catalog model fits this tier; {LOCAL_HINT}.")
    if gateway_held:
        parts.append(
            f"{', '.join(gateway_held)} holds a benchroute gateway key (br-…); clients use "
            "BENCHROUTE_API_KEY for that, the gateway needs the provider's own key."
        )
    parts.append("`benchroute doctor` shows what is missing.")
    return " ".join(parts)
