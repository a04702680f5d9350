"""Project settings on SQLAlchemy Core: the settings methods of `SqlStore` (a part over its engine).
Each change upserts the project's overrides and appends the change to `settings_changes`, in one
transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from benchroute.store import schema as t
from benchroute.store.base import SettingsChange
from benchroute.store.sql_engine import insert_for
from benchroute.store.sql_part import SqlPart


class SqlSettings(SqlPart):
    async def get_project_settings(self, project: str) -> dict[str, Any] | None:
        stmt = sa.select(t.project_settings.c.json).where(t.project_settings.c.project == project)
        async with self.engine.connect() as conn:
            value = (await conn.execute(stmt)).scalar_one_or_none()
        return None if value is None else dict(value)

    async def set_project_settings(self, project: str, values: dict[str, Any], *, actor: str = "") -> None:
        now = datetime.now(UTC)
        upsert = (
            insert_for(self.engine, t.project_settings)
            .values(project=project, json=values, updated_at=now)
            .on_conflict_do_update(index_elements=["project"], set_={"json": values, "updated_at": now})
        )
        async with self.engine.begin() as conn:
            await conn.execute(upsert)
            await conn.execute(
                t.settings_changes.insert().values(time=now, project=project, actor=actor, json=values)
            )

    async def list_settings_changes(
        self, *, project: str | None = None, limit: int = 100
    ) -> list[SettingsChange]:
        s = t.settings_changes.c
        stmt = sa.select(t.settings_changes).order_by(s.time.desc(), s.id.desc()).limit(limit)
        if project is not None:
            stmt = stmt.where(s.project == project)
        async with self.engine.connect() as conn:
            return [
                SettingsChange(time=m["time"], project=m["project"], actor=m["actor"], values=dict(m["json"]))
                for m in (await conn.execute(stmt)).mappings()
            ]
