"""Helpers shared by CLI subcommands: settings from the group's --config, async at the edge."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from benchroute.settings import Settings

T = TypeVar("T")


def load_settings(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    config = (root.obj or {}).get("config") if root.obj else None
    try:
        return Settings.load(config)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    except ValueError as exc:
        raise click.ClickException(f"invalid settings: {exc}") from exc


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
