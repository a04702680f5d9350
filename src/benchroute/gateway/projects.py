"""Project settings as the gateway uses them: the config's `ProjectSettings` with the overrides
saved from the dashboard (the store) merged over them.

`ProjectSettingsSource.get(name)` is what the request path calls: a cached lookup (short TTL, so
every replica picks up a change made on another one within seconds) that the dashboard
invalidates at once when it saves a change in this process. An override that stopped being valid
(the config changed under it) is ignored, with a warning, rather than failing requests; the
dashboard validates overrides before saving them (`dashboard/projects.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from benchroute.gateway.cache import TTLCache
from benchroute.settings import ProjectSettings, Settings
from benchroute.store.base import Store

log = logging.getLogger("benchroute.gateway")

# The settings the dashboard edits; anything else stays as the config says.
EDITABLE = ("tier", "dial", "min_confidence", "allowed_models")


def merge(base: ProjectSettings, overrides: Mapping[str, Any] | None) -> ProjectSettings:
    """`base` with `overrides` applied, validated as a whole (raises pydantic's ValidationError)."""
    if not overrides:
        return base
    return ProjectSettings.model_validate({**base.model_dump(), **overrides})


class ProjectSettingsSource:
    """ProjectSettings per project name: config merged with the store's overrides, cached briefly."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._cache: TTLCache[str, ProjectSettings] = TTLCache(ttl, clock=clock)

    def base(self, project: str) -> ProjectSettings:
        """What the config alone says for `project`."""
        return self._settings.project(project)

    async def get(self, project: str) -> ProjectSettings:
        cached = self._cache.peek(project)  # the common case: no coroutine, no closure
        if cached is not None:
            return cached
        return await self._cache.get(project, lambda: self._load(project))

    async def _load(self, project: str) -> ProjectSettings:
        base = self.base(project)
        try:
            overrides = await self._store.get_project_settings(project)
        except Exception:
            # A store hiccup must not fail requests: route with the config until it answers again.
            log.warning("could not read the settings overrides of project %s", project, exc_info=True)
            return base
        try:
            return merge(base, {k: v for k, v in (overrides or {}).items() if k in EDITABLE})
        except ValidationError as exc:
            log.warning("ignoring invalid settings overrides of project %s: %s", project, exc)
            return base

    def invalidate(self) -> None:
        """Forget every cached entry (called after a change is saved in this process)."""
        self._cache = TTLCache(self._ttl, clock=self._clock)
