"""Gateway keys on SQLAlchemy Core: the key methods of `SqlStore` (a mixin over its engine).

A key created with another key (`parent`) is revoked with it: `revoke_key` revokes the key and
every key descended from it, in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from benchroute.store import keys
from benchroute.store import schema as t
from benchroute.store.base import KeyInfo
from benchroute.store.sql_part import SqlPart


class SqlKeys(SqlPart):
    async def create_key(
        self, project: str, *, name: str = "", admin: bool = False, parent: str | None = None
    ) -> tuple[KeyInfo, str]:
        key_id, secret = keys.new_secret()
        info = KeyInfo(
            id=key_id,
            project=project,
            name=name,
            admin=admin or project == "*",
            created=datetime.now(UTC),
            parent=parent,
        )
        async with self.engine.begin() as conn:
            await conn.execute(
                t.gateway_keys.insert().values(
                    id=key_id,
                    project=project,
                    name=name,
                    admin=info.admin,
                    hash=keys.hash_secret(secret),
                    created=info.created,
                    parent_id=parent,
                )
            )
        return info, secret

    @staticmethod
    def _key_info(m: Any) -> KeyInfo:
        return KeyInfo(
            id=m["id"],
            project=m["project"],
            name=m["name"],
            admin=bool(m["admin"]),
            created=m["created"],
            revoked=m["revoked_at"] is not None,
            parent=m["parent_id"],
        )

    async def verify_key(self, secret: str) -> KeyInfo | None:
        key_id = keys.key_id_of(secret)
        m = None
        if key_id is not None:
            async with self.engine.connect() as conn:
                stmt = sa.select(t.gateway_keys).where(t.gateway_keys.c.id == key_id)
                m = (await conn.execute(stmt)).mappings().first()
        if not keys.hash_matches(secret, m["hash"] if m else None) or m is None:
            return None
        info = self._key_info(m)
        return None if info.revoked else info

    async def list_keys(self, project: str | None = None) -> list[KeyInfo]:
        k = t.gateway_keys.c
        stmt = sa.select(t.gateway_keys).order_by(k.created, k.id)
        if project is not None:
            stmt = stmt.where(k.project == project)
        async with self.engine.connect() as conn:
            return [self._key_info(m) for m in (await conn.execute(stmt)).mappings()]

    async def revoke_key(self, key_id: str) -> bool:
        """Revoke `key_id` and every key created from it (transitively); False if it was not live."""
        k = t.gateway_keys.c
        now = datetime.now(UTC)
        async with self.engine.begin() as conn:
            first = (
                sa.update(t.gateway_keys).where(k.id == key_id, k.revoked_at.is_(None)).values(revoked_at=now)
            )
            revoked = (await conn.execute(first)).rowcount > 0
            frontier, seen = [key_id], {key_id}
            while frontier:
                children = (await conn.execute(sa.select(k.id).where(k.parent_id.in_(frontier)))).scalars()
                frontier = [c for c in children if c not in seen]
                seen.update(frontier)
                if frontier:
                    stmt = sa.update(t.gateway_keys).where(k.id.in_(frontier), k.revoked_at.is_(None))
                    await conn.execute(stmt.values(revoked_at=now))
        return revoked
