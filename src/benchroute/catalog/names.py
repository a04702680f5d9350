"""Model names as clients send them -> catalog ids.

Claude Code names its models bare, as Anthropic's API does (`claude-sonnet-4-5`,
`claude-haiku-4-5-20251001` for its background calls); the catalog says `anthropic/claude-sonnet-4-5`.
`resolve` maps such a name to the one catalog id it can mean; `nearest` lists ids like a name that
matches none, for the error message.
"""

from __future__ import annotations

import difflib
import re

from benchroute.catalog.model import Catalog

# a snapshot date ("-20251001") or "-latest" after a model name
_SNAPSHOT = re.compile(r"-(?:\d{8}|latest)$")
BARE_PROVIDER = "anthropic"  # the provider whose clients send bare model names


def resolve(catalog: Catalog, name: str) -> str | None:
    """The catalog id `name` means, or None.

    A catalog id is itself. A bare name (no "/") is, in this order: `anthropic/<name>`;
    `anthropic/<name without its snapshot date>`; else the one model whose upstream id is the name
    with or without the date; else the one dated `anthropic/<name>-<date>` (None when several
    match: the name is ambiguous).
    """
    if name in catalog:
        return name
    if not name or "/" in name:
        return None
    bare = _SNAPSHOT.sub("", name)
    for candidate in (f"{BARE_PROVIDER}/{name}", f"{BARE_PROVIDER}/{bare}"):
        if candidate in catalog:
            return candidate
    found = [m.id for m in catalog if m.upstream_id in (name, bare)]
    if not found:  # "claude-3-5-haiku-latest" for the one dated id "anthropic/claude-3-5-haiku-20241022"
        found = [m.id for m in catalog if _SNAPSHOT.sub("", m.id) == f"{BARE_PROVIDER}/{bare}"]
    return found[0] if len(found) == 1 else None


def nearest(catalog: Catalog, name: str, n: int = 3) -> list[str]:
    """Up to `n` catalog ids closest to `name` (a bare name is compared with the ids' model part)."""
    ids = catalog.ids()
    if "/" in name:
        return difflib.get_close_matches(name, ids, n=n, cutoff=0.5)
    by_model: dict[str, list[str]] = {}
    for model_id in ids:
        by_model.setdefault(model_id.rsplit("/", 1)[-1], []).append(model_id)
    close = difflib.get_close_matches(_SNAPSHOT.sub("", name), list(by_model), n=n, cutoff=0.5)
    return [model_id for model in close for model_id in by_model[model]][:n]
