"""What every tier needs to know about one call, worked out once, and the helpers they share."""

from __future__ import annotations

from dataclasses import dataclass

from benchroute.catalog.model import Catalog
from benchroute.routing.base import RouteContext
from benchroute.routing.capabilities import Needs, unmet
from benchroute.routing.evidence import split_variant
from benchroute.routing.static import is_allowed
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest

MAX_FALLBACKS = 3


@dataclass(frozen=True, slots=True)
class Call:
    request: ChatRequest
    project: ProjectSettings
    ctx: RouteContext
    prompt_tokens: int
    needs: Needs
    routable: frozenset[str] | None = None  # None: every catalog model can be paid for

    def allowed(self, model: str) -> bool:
        """The project allows it, and the gateway can call it (auto tiers only)."""
        base = split_variant(model)[0]
        if self.routable is not None and base not in self.routable:
            return False
        return is_allowed(base, self.project.allowed_models)

    def usable(self, model: str, catalog: Catalog) -> bool:
        """In the catalog, allowed, callable here, and able to serve this request."""
        info = catalog.get(split_variant(model)[0])
        return info is not None and self.allowed(model) and not unmet(info, self.needs)


def healthy_first(models: list[str], unavailable: frozenset[str]) -> list[str]:
    """Available models first; if every one is in cooldown, still try them (in order)."""
    down = [m for m in models if split_variant(m)[0] in unavailable]
    return [m for m in models if m not in down] + down


def unique(models: list[str], exclude: str = "") -> list[str]:
    out: list[str] = []
    for m in models:
        if m != exclude and m not in out:
            out.append(m)
    return out


def bases(models: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Catalog ids of (possibly variant) model ids, without duplicates, in order."""
    return tuple(unique([split_variant(m)[0] for m in models]))
