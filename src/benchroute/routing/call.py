"""What every tier needs to know about one call, worked out once, and the helpers they share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from benchroute.catalog.model import Catalog
from benchroute.quickinit import quick_init
from benchroute.routing.base import RouteContext
from benchroute.routing.capabilities import ANSWER_ROOM, Needs, unmet
from benchroute.routing.evidence import split_variant
from benchroute.routing.static import ContextTooLong, is_allowed
from benchroute.settings import ProjectSettings
from benchroute.wire.canonical import ChatRequest

MAX_FALLBACKS = 3


@quick_init  # built once or more per request: plain stores (benchroute/quickinit.py)
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

    def why_not(self, model: str, catalog: Catalog) -> str:
        """ "" when `usable`, else the first reason it is not: "catalog" (not in it), "not_allowed"
        (by the project), "no_key" (its provider has no key here), then `unmet`'s ("tools",
        "vision", "context", "api")."""
        base = split_variant(model)[0]
        info = catalog.get(base)
        if info is None:
            return "catalog"
        if not is_allowed(base, self.project.allowed_models):
            return "not_allowed"
        if self.routable is not None and base not in self.routable:
            return "no_key"
        return unmet(info, self.needs)


def too_long(call: Call, catalog: Catalog, models: Iterable[str], tier: str) -> ContextTooLong | None:
    """The error when none of `models` can serve the call and some fail only on their context
    window (allowed, callable, capable otherwise): the request is longer than the tier can take.
    It names the numbers; None when the context window is not what stands in the way."""
    short = [m for m in models if call.why_not(m, catalog) == "context"]
    if not short:
        return None
    infos = [info for info in (catalog.get(split_variant(m)[0]) for m in short) if info is not None]
    longest = max(infos, key=lambda info: info.context)
    return ContextTooLong(
        f"the request is longer than any model {tier} may route it to can take: about "
        f"{call.needs.tokens:,} prompt tokens plus {ANSWER_ROOM:,} kept for the answer, and the largest "
        f"context window among them is {longest.context:,} tokens ({longest.id}); shorten the "
        "conversation, or ask for a tier or model with a larger context window"
    )


def healthy_first(models: list[str], unavailable: frozenset[str]) -> list[str]:
    """Available models first; if every one is in cooldown, still try them (in order)."""
    down = [m for m in models if split_variant(m)[0] in unavailable]
    return [m for m in models if m not in down] + down


def unique(models: Iterable[str], exclude: str = "", limit: int | None = None) -> list[str]:
    """`models` without `exclude` and repeats, in order; at most `limit` (the rest is not read)."""
    out: list[str] = []
    for m in models:
        if m != exclude and m not in out:
            out.append(m)
            if len(out) == limit:
                break
    return out


def bases(models: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Catalog ids of (possibly variant) model ids, without duplicates, in order."""
    return tuple(unique([split_variant(m)[0] for m in models]))
