"""Checking the project settings a dashboard user saves: the overrides must give valid
`ProjectSettings` (the request path merges them: `gateway/projects.py`), an auto tier, and an
allowed-models list that leaves the project at least one catalog model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from benchroute.gateway.projects import EDITABLE, merge
from benchroute.routing.static import AUTO_TIERS, TIER_ALIASES, is_allowed
from benchroute.settings import ProjectSettings

__all__ = ["EDITABLE", "InvalidSettings", "validate_overrides", "widened"]


class InvalidSettings(ValueError):
    """Overrides that break a ProjectSettings constraint; `errors` maps field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate_overrides(
    base: ProjectSettings, overrides: Mapping[str, Any], *, catalog_ids: Iterable[str] = ()
) -> ProjectSettings:
    """The settings `overrides` would give, or InvalidSettings naming each bad field.

    Beyond ProjectSettings' own constraints: the tier must be an auto tier, and allowed_models must
    let the project use at least one catalog model (so a typo cannot lock a project out).
    """
    errors: dict[str, str] = {}
    unknown = sorted(set(overrides) - set(EDITABLE))
    if unknown:
        errors[unknown[0]] = "cannot be changed from the dashboard"
    try:
        merged = merge(base, {k: v for k, v in overrides.items() if k in EDITABLE})
    except ValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "settings"
            errors.setdefault(field, str(err["msg"]))
        raise InvalidSettings(errors) from None
    if merged.tier not in TIER_ALIASES:
        errors["tier"] = f"must be one of {', '.join(AUTO_TIERS)}"
    patterns = merged.allowed_models
    if not patterns or any(not p.strip() for p in patterns):
        errors["allowed_models"] = "give at least one model id or pattern, one per line"
    else:
        ids = list(catalog_ids)
        if ids and not any(is_allowed(m, patterns) for m in ids):
            errors["allowed_models"] = "matches no model in the catalog"
    if errors:
        raise InvalidSettings(errors)
    return merged


_WILDCARDS = frozenset("*?[")


def _covered(pattern: str, ceiling: list[str]) -> bool:
    """True when everything `pattern` matches is matched by a pattern of `ceiling` (conservative:
    a literal id must be allowed; a pattern must appear in the ceiling or extend a prefix* of it)."""
    if pattern in ceiling:
        return True
    if not _WILDCARDS & set(pattern):
        return is_allowed(pattern, ceiling)
    for allowed in ceiling:
        prefix = allowed[:-1]
        if allowed.endswith("*") and not _WILDCARDS & set(prefix) and pattern.startswith(prefix):
            return True
    return False


def widened(current: ProjectSettings, proposed: ProjectSettings) -> dict[str, str]:
    """The fields in which `proposed` grants more than `current` (field -> message); only an admin
    may save those. A project key may narrow its own project, never widen it."""
    errors: dict[str, str] = {}
    wider = [p for p in proposed.allowed_models if not _covered(p, current.allowed_models)]
    if wider:
        errors["allowed_models"] = (
            f"only an admin can allow more models ({', '.join(wider[:3])} goes beyond "
            f"{', '.join(current.allowed_models)})"
        )
    return errors
