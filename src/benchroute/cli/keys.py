"""`benchroute keys`: create, list and revoke gateway keys (the secret is shown once, at creation)."""

from __future__ import annotations

import json

import click

from benchroute.cli.context import load_settings, run
from benchroute.store.base import KeyInfo


def _key_dict(info: KeyInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "project": info.project,
        "name": info.name,
        "admin": info.admin,
        "created": info.created.isoformat() if info.created else None,
        "revoked": info.revoked,
    }


@click.group("keys")
def keys() -> None:
    """Create, list and revoke gateway keys; manage bring-your-own provider keys."""


@keys.command("create")
@click.option("--project", "-p", required=True, help='Project the key belongs to ("*" for an admin key).')
@click.option("--name", "-n", default="", help="A label, e.g. the machine or person.")
@click.option("--admin", is_flag=True, help="Admin key: dashboard and every project.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (includes the secret).")
@click.pass_context
def create(ctx: click.Context, project: str, name: str, admin: bool, as_json: bool) -> None:
    """Create a key and print its secret once."""
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)

    async def go() -> tuple[KeyInfo, str]:
        async with started_store(settings) as store:
            return await store.create_key(project, name=name, admin=admin)

    info, secret = run(go())
    if as_json:
        click.echo(json.dumps({**_key_dict(info), "secret": secret}))
        return
    kind = "admin key" if info.admin else "key"
    click.echo(f"Created {kind} {info.id} for project {info.project!r}.")
    click.echo("Secret (shown only now; store it safely):")
    click.echo(secret)


@keys.command("list")
@click.option("--project", "-p", default=None, help="Only keys of this project.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def list_(ctx: click.Context, project: str | None, as_json: bool) -> None:
    """List keys (ids and labels; secrets are never stored)."""
    from rich.console import Console
    from rich.table import Table

    from benchroute.store.factory import started_store

    settings = load_settings(ctx)

    async def go() -> list[KeyInfo]:
        async with started_store(settings) as store:
            return await store.list_keys(project)

    infos = run(go())
    if as_json:
        click.echo(json.dumps([_key_dict(i) for i in infos], indent=2))
        return
    if not infos:
        click.echo("No keys." + ("" if project is None else f" (project {project!r})"))
        return
    table = Table("id", "project", "name", "admin", "created", "status")
    for i in infos:
        created = i.created.strftime("%Y-%m-%d %H:%M") if i.created else ""
        table.add_row(
            i.id, i.project, i.name, "yes" if i.admin else "", created, "revoked" if i.revoked else "active"
        )
    console = Console()
    if not console.is_terminal:  # piped or captured: never wrap the table
        console.width = 200
    console.print(table)


@keys.command("revoke")
@click.argument("key_id")
@click.pass_context
def revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke a key by its id."""
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)

    async def go() -> bool:
        async with started_store(settings) as store:
            return await store.revoke_key(key_id)

    if not run(go()):
        raise click.ClickException(f"no active key with id {key_id!r}")
    click.echo(f"Revoked key {key_id}.")


@keys.group("provider")
def provider() -> None:
    """Bring-your-own provider keys of a project (encrypted at rest, never printed back)."""


@provider.command("set")
@click.option("--project", "-p", required=True, help="The project whose requests use this key.")
@click.argument("provider_name")
@click.option(
    "--secret",
    prompt="Provider key",
    hide_input=True,
    envvar="BENCHROUTE_PROVIDER_SECRET",
    help="The provider's API key (prompted without echo; or env BENCHROUTE_PROVIDER_SECRET).",
)
@click.pass_context
def provider_set(ctx: click.Context, project: str, provider_name: str, secret: str) -> None:
    """Store PROVIDER_NAME's key for a project; its requests to that provider use it."""
    from benchroute.store.factory import started_store

    if not secret.strip():
        raise click.ClickException("the provider key is empty")
    settings = load_settings(ctx)

    async def go() -> list[tuple[str, str]]:
        async with started_store(settings) as store:
            await store.set_provider_key(project, provider_name, secret.strip())
            return await store.list_provider_keys(project)

    masked = dict(run(go()))
    click.echo(f"Stored the {provider_name} key for project {project!r}: {masked.get(provider_name, '')}")


@provider.command("list")
@click.option("--project", "-p", required=True)
@click.pass_context
def provider_list(ctx: click.Context, project: str) -> None:
    """The providers a project has its own key for (masked)."""
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)

    async def go() -> list[tuple[str, str]]:
        async with started_store(settings) as store:
            return await store.list_provider_keys(project)

    rows = run(go())
    if not rows:
        click.echo(f"No provider keys for project {project!r}.")
    for name, masked in rows:
        click.echo(f"{name}\t{masked}")


@provider.command("delete")
@click.option("--project", "-p", required=True)
@click.argument("provider_name")
@click.pass_context
def provider_delete(ctx: click.Context, project: str, provider_name: str) -> None:
    """Forget a project's key for PROVIDER_NAME (requests fall back to the gateway's own key)."""
    from benchroute.store.factory import started_store

    settings = load_settings(ctx)

    async def go() -> bool:
        async with started_store(settings) as store:
            return await store.delete_provider_key(project, provider_name)

    if not run(go()):
        raise click.ClickException(f"project {project!r} has no key for provider {provider_name!r}")
    click.echo(f"Deleted the {provider_name} key of project {project!r}.")
