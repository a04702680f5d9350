"""Bring-your-own provider keys on SQLAlchemy Core: the BYOK methods of `SqlStore` (a part over its
engine). Secrets are stored only as ciphertext bound to (project, provider), plus a masked form."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from benchroute.store import schema as t
from benchroute.store.crypto import KeyBox, mask
from benchroute.store.sql_engine import insert_for
from benchroute.store.sql_part import SqlPart


class SqlProviderKeys(SqlPart):
    _box: KeyBox  # SqlStore's

    async def set_provider_key(self, project: str, provider: str, secret: str) -> None:
        values = {
            "ciphertext": self._box.encrypt(project, provider, secret),
            "masked": mask(secret),
            "updated": datetime.now(UTC),
        }
        stmt = (
            insert_for(self.engine, t.provider_keys)
            .values(project=project, provider=provider, **values)
            .on_conflict_do_update(index_elements=["project", "provider"], set_=values)
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    async def get_provider_key(self, project: str, provider: str) -> str | None:
        p = t.provider_keys.c
        stmt = sa.select(p.ciphertext).where(p.project == project, p.provider == provider)
        async with self.engine.connect() as conn:
            token = (await conn.execute(stmt)).scalar_one_or_none()
        return None if token is None else self._box.decrypt(project, provider, token)

    async def list_provider_keys(self, project: str) -> list[tuple[str, str]]:
        p = t.provider_keys.c
        stmt = sa.select(p.provider, p.masked).where(p.project == project).order_by(p.provider)
        async with self.engine.connect() as conn:
            return [(row.provider, row.masked) for row in await conn.execute(stmt)]

    async def delete_provider_key(self, project: str, provider: str) -> bool:
        p = t.provider_keys.c
        stmt = sa.delete(t.provider_keys).where(p.project == project, p.provider == provider)
        async with self.engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0
