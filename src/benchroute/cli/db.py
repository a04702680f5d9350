"""`benchroute db`: apply or show the store's migrations (the gateway also applies them on start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from benchroute.cli.context import load_settings, run
from benchroute.settings import Settings

if TYPE_CHECKING:
    from benchroute.store.sql import SqlStore


def _sql_store(settings: Settings) -> SqlStore | None:
    from benchroute.store.crypto import ensure_secret
    from benchroute.store.sql import SqlStore
    from benchroute.store.urls import backend_of

    if backend_of(settings.store_url) == "memory":
        return None
    return SqlStore(settings.store_url, secret=ensure_secret(settings))


@click.group("db")
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.pass_context
def upgrade(ctx: click.Context, revision: str) -> None:
    """Apply migrations up to REVISION (idempotent)."""
    from benchroute.store.urls import redact

    settings = load_settings(ctx)
    store = _sql_store(settings)
    if store is None:
        click.echo("memory:// store: nothing to migrate.")
        return

    async def go() -> str | None:
        try:
            if revision == "head":
                await store.start()
            else:
                await store.upgrade(revision)
            return await store.current_revision()
        finally:
            await store.close()

    current = run(go())
    click.echo(f"{redact(settings.store_url)}: at revision {current}")


@db.command("current")
@click.pass_context
def current(ctx: click.Context) -> None:
    """Show the database's revision and whether it is up to date."""
    from benchroute.store.migrate import head_revision
    from benchroute.store.urls import redact

    settings = load_settings(ctx)
    store = _sql_store(settings)
    if store is None:
        click.echo("memory:// store: no migrations.")
        return

    async def go() -> str | None:
        try:
            return await store.current_revision()
        finally:
            await store.close()

    rev, head = run(go()), head_revision()
    state = "up to date" if rev == head else "needs `benchroute db upgrade`"
    click.echo(f"{redact(settings.store_url)}: revision {rev or 'none'} (head {head}; {state})")
