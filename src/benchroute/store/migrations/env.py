"""Alembic environment for the benchroute store.

Migrations run only through `benchroute.store.migrate`, which passes an open connection in
`config.attributes["connection"]` (the store's own engine, SQLite or PostgreSQL).
"""

from __future__ import annotations

from alembic import context

from benchroute.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run store migrations with `benchroute db upgrade` (benchroute.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
