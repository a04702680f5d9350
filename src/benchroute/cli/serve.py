"""`benchroute serve`: run the gateway under uvicorn (uvloop + httptools; one process, or
`--workers N` processes on one socket: `cli/workers.py`)."""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING

import click

from benchroute.cli.context import load_settings, run
from benchroute.providers.readiness import ProviderReadiness
from benchroute.settings import ServerSettings, Settings

if TYPE_CHECKING:
    from benchroute.gateway.state import GatewayState

_NO = ProviderReadiness("", False, "not configured")


async def _first_key(settings: Settings) -> str | None:
    """On the first start with auth on and no key at all: a key for project "default", else None."""
    from benchroute.store.factory import open_store

    store = open_store(settings)
    await store.start()
    try:
        if await store.list_keys():
            return None
        _, secret = await store.create_key("default", name="created by the first `benchroute serve`")
        return secret
    finally:
        await store.close()


def banner(state: GatewayState) -> list[str]:
    """What the gateway found: local servers, and per tier what it can call and why not."""
    from benchroute.cli.readiness import status_lines, tier_statuses
    from benchroute.providers.readiness import gateway_keys_in_env, provider_readiness

    lines: list[str] = []
    for found in state.discovered:
        models = ", ".join(f"{found.name}/{m}" for m in found.models) or "no models"
        lines.append(f"  local {found.kind} at {found.base_url}: {models}")
    if not state.discovered:
        lines.append("  no local model server found (Ollama on 127.0.0.1:11434, LM Studio on 127.0.0.1:1234)")
    readiness = provider_readiness(state.settings, state.discovered)
    callable_ = sum(1 for m in state.catalog if m.local or readiness.get(m.provider, _NO).ready)
    lines.append(
        f"  {len(state.catalog)} models in the catalog, {callable_} callable here; "
        f"routing with {type(state.engine).__name__}"
    )
    statuses = tier_statuses(state.settings, state.catalog, state.engine, readiness)
    lines += status_lines(statuses, readiness)
    for var in gateway_keys_in_env(state.settings):
        lines.append(
            f"  WARNING: {var} holds a benchroute gateway key (br-…); it is not sent upstream. "
            "Clients use BENCHROUTE_API_KEY; the gateway needs the provider's own key there."
        )
    return lines


def _announce_auth(settings: Settings, base_url: str) -> None:
    """The first start's key (printed once, with the variables clients read), or that auth is off."""
    if settings.server.auth != "keys":
        click.echo("Authentication is off (server.auth = 'none'): any local client may use this gateway.")
        return
    secret = run(_first_key(settings))
    if secret is None:
        return
    click.echo("Created a gateway key for project 'default' (shown only this once):")
    click.echo(f"\n    {secret}\n")
    click.echo(f"Use it as the API key with base URL {base_url}, e.g.")
    click.echo(f'    export BENCHROUTE_BASE_URL={base_url} BENCHROUTE_API_KEY="{secret}"')
    click.echo("(more keys: `benchroute keys create --project NAME`)\n")


def _loop() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def _with_server(settings: Settings, **changes: object) -> Settings:
    server = ServerSettings.model_validate({**settings.server.model_dump(), **changes})
    return settings.model_copy(update={"server": server})


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: server.host, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: server.port, 8080).")
@click.option("--no-auth", is_flag=True, help="No gateway keys (allowed only on a loopback address).")
@click.option("--log-level", default="warning", show_default=True, help="uvicorn log level.")
@click.option("--access-log", is_flag=True, help="Log every request (off by default: it costs time).")
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM).")
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False), help="TLS certificate (PEM).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Gateway processes on one socket (needs PostgreSQL and Redis; docs/operations.md).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    no_auth: bool,
    log_level: str,
    access_log: bool,
    ssl_keyfile: str | None,
    ssl_certfile: str | None,
    workers: int,
) -> None:
    """Run the gateway."""
    if bool(ssl_keyfile) != bool(ssl_certfile):
        raise click.UsageError("TLS needs both --ssl-keyfile and --ssl-certfile")
    settings = load_settings(ctx)
    changes: dict[str, object] = {}
    if host is not None:
        changes["host"] = host
    if port is not None:
        changes["port"] = port
    if no_auth:
        changes["auth"] = "none"
    try:
        settings = _with_server(settings, **changes) if changes else settings
    except ValueError as exc:
        raise click.ClickException(f"invalid server settings: {exc}") from exc
    if workers > 1:
        _check_workers(settings, workers)

    scheme = "https" if ssl_certfile else "http"
    host_part = "[" + settings.server.host + "]" if ":" in settings.server.host else settings.server.host
    base_url = f"{scheme}://{host_part}:{settings.server.port}/v1"
    _announce_auth(settings, base_url)
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.WARNING))
    options: dict[str, object] = {
        "log_level": log_level,
        "access_log": access_log,
        "ssl_keyfile": ssl_keyfile,
        "ssl_certfile": ssl_certfile,
    }
    if workers == 1:
        _serve_one(settings, base_url, options)
        return
    from benchroute.cli.workers import run_workers, worker_settings
    from benchroute.gateway.server import free_socket
    from benchroute.store.crypto import ensure_secret

    secret = ensure_secret(settings)  # one BYOK secret for every worker
    sock = free_socket(settings.server.host, settings.server.port)

    def worker(index: int) -> None:
        note = f"{workers} worker processes (parent pid {os.getppid()})"
        _serve_one(worker_settings(settings, index, secret), base_url, options, [sock], index, note)

    ctx.exit(run_workers(workers, worker))


def _serve_one(
    settings: Settings,
    base_url: str,
    options: dict[str, object],
    sockets: list[socket.socket] | None = None,
    index: int = 0,
    note: str = "",
) -> None:
    """One gateway process: uvicorn on `settings`' address (or on `sockets`, bound by the parent)."""
    from benchroute.app import create_app
    from benchroute.gateway.server import ListeningServer, tune_gc, uvicorn_config

    built: list[GatewayState] = []

    def ready(state: GatewayState) -> None:
        built.append(state)

    def listening() -> None:
        tune_gc()  # first: the lines below tell a waiting client to connect
        if index > 0 or not built:
            return  # worker 0 speaks for all
        click.echo(f"benchroute gateway on {base_url}  (models: {base_url}/models, health: /healthz)")
        if note:
            click.echo(f"  {note}")
        for line in banner(built[0]):
            click.echo(line)
        click.echo("Serving; stop with Ctrl+C.")

    app = create_app(settings, on_ready=ready)
    config = uvicorn_config(
        app, host=settings.server.host, port=settings.server.port, loop=_loop(), **options
    )
    # announced once the socket accepts connections, not when the app's startup ends (before bind)
    ListeningServer(config, listening).run(sockets=sockets)


def _check_workers(settings: Settings, workers: int) -> None:
    """Refuse `--workers N` (N > 1) when state would be split between the processes, or when an
    earlier run with more workers left usage records that only its higher-numbered workers replay."""
    from benchroute.cli.workers import unreplayed, worker_problems

    problems = worker_problems(settings)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise click.ClickException(
            f"--workers {workers} needs state shared between processes:\n{lines}\n"
            "or run one worker (the default). See docs/operations.md."
        )
    left = unreplayed(settings, workers)
    if left:
        raise click.ClickException(
            f"usage records of an earlier run with more workers are not replayed yet in "
            f"{', '.join(str(p) for p in left)}: start once with --workers {int(left[-1].name) + 1}"
        )
