"""What the parts of `SqlStore` (usage, decisions, keys, bench results, settings) share: the engine
and the direct SQLite insert path. `SqlStore` provides both; a part only declares it needs them."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from benchroute.store.sqlite_writes import PreparedInsert, SqliteInserter


class SqlPart:
    """Declares what `SqlStore` provides to every part (abstract here; no part is used alone)."""

    @property
    @abstractmethod
    def engine(self) -> AsyncEngine: ...

    @abstractmethod
    def _fast_insert(
        self, table: sa.Table, names: Sequence[str]
    ) -> tuple[SqliteInserter, PreparedInsert] | None: ...
