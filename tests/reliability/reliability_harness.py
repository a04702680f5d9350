"""Several real gateway processes (`benchroute serve` subprocesses) sharing PostgreSQL and Redis, in
front of the scripted upstream; TCP proxies in front of PostgreSQL and Redis let a test cut them
off and bring them back without disturbing anyone else using the servers. `static_gateway` is the
in-process variant: one gateway on a loopback port, serving the model each request names."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from starlette.applications import Starlette

from benchroute.app import create_app
from benchroute.catalog.loader import load_catalog
from benchroute.gateway.server import InLoopServer, free_socket
from benchroute.gateway.state import GatewayState
from benchroute.routing.base import RoutingEngine
from benchroute.routing.static import StaticRouter
from benchroute.settings import Settings
from benchroute.store.sql import SqlStore

PG_ADMIN_URL = os.environ.get("BENCHROUTE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
SECRET = "reliability-test-server-secret"


def free_port() -> int:
    sock = free_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


class TcpProxy:
    """Forwards a loopback port to a server; `cut()` closes it and every connection through it
    (the server looks down), `restore()` listens again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for w in list(self._conns):
            w.transport.abort()
        self._conns.clear()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._conns.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                dst.transport.abort()

        tasks = [
            asyncio.ensure_future(pipe(reader, up_writer)),
            asyncio.ensure_future(pipe(up_reader, writer)),
        ]
        self._tasks.update(tasks)
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._tasks.difference_update(tasks)
            self._conns.discard(writer)
            self._conns.discard(up_writer)


async def create_database() -> str:
    name = f"br_rel_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def redis_keys(pattern: str) -> list[bytes]:
    from benchroute.redisconn import connect

    client = connect(f"redis://{REDIS_HOST}:{REDIS_PORT}/0")
    try:
        return [k async for k in client.scan_iter(match=pattern)]
    finally:
        await client.aclose()


async def redis_sum(pattern: str) -> int:
    """The sum of the integer values of the keys matching `pattern` (limit counters)."""
    from benchroute.redisconn import connect

    client = connect(f"redis://{REDIS_HOST}:{REDIS_PORT}/0")
    try:
        keys = [k async for k in client.scan_iter(match=pattern)]
        return sum(int(v) for v in await client.mget(keys) if v is not None) if keys else 0
    finally:
        await client.aclose()


async def drop_redis_keys(pattern: str) -> None:
    from benchroute.redisconn import connect

    client = connect(f"redis://{REDIS_HOST}:{REDIS_PORT}/0")
    try:
        keys = [k async for k in client.scan_iter(match=pattern)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(value)


def write_toml(path: Path, sections: dict[str, Any]) -> Path:
    lines: list[str] = []
    for name, body in sections.items():
        if isinstance(body, list):
            for item in body:
                lines.append(f"[[{name}]]")
                lines.extend(f"{k} = {_toml(v)}" for k, v in item.items())
        else:
            lines.append(f"[{name}]")
            lines.extend(f"{k} = {_toml(v)}" for k, v in body.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def gateway_config(
    path: Path,
    *,
    upstream_url: str,
    store_url: str,
    redis_url: str | None,
    projects: dict[str, dict[str, Any]],
    server: dict[str, Any] | None = None,
    provider_key: str = "sk-upstream-provider-secret",
) -> Path:
    sections: dict[str, Any] = {
        "server": {
            "discover_local": False,
            "secret": SECRET,
            "retries": 0,
            "cooldown_failures": 2,
            "cooldown_seconds": 3.0,
            "read_timeout": 5.0,
            "connect_timeout": 2.0,
            **(server or {}),
        },
        "store": {
            "url": store_url,
            **({"redis_url": redis_url} if redis_url else {}),
            "flush_interval": 0.02,
        },
        "providers.up": {"kind": "openai", "base_url": upstream_url, "api_key": provider_key},
        "providers.dead": {"kind": "openai", "base_url": f"http://127.0.0.1:{free_port()}/v1"},
        "models": [
            {
                "id": "up/small",
                "provider": "up",
                "upstream_id": "scripted-small",
                "input_price": 1.0,
                "output_price": 4.0,
            },
            {
                "id": "up/large",
                "provider": "up",
                "upstream_id": "scripted-large",
                "input_price": 5.0,
                "output_price": 20.0,
            },
            {"id": "dead/model", "provider": "dead", "upstream_id": "m"},
        ],
        "tiers": {"default": "up/small"},
    }
    for name, body in projects.items():
        sections[f"projects.{name}"] = body
    return write_toml(path, sections)


@dataclass
class Gateway:
    """One `benchroute serve` process."""

    config: Path
    data_dir: Path
    name: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self.log_path = self.data_dir / f"{self.name}-{self.starts}.log"
        env = {**os.environ, "BENCHROUTE_DATA_DIR": str(self.data_dir), "PYTHONUNBUFFERED": "1"}
        code = "from benchroute.cli.main import main; main()"
        cmd = [sys.executable, "-c", code, "--config", str(self.config), "serve", "--port", str(self.port)]
        with self.log_path.open("wb") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)

    async def start(self, within: float = 60.0) -> None:
        """Start the process and wait (up to `within` seconds) until /healthz answers."""
        self.proc = self._spawn()
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gateway {self.name} exited at start:\n{self.log()}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.get(self.url + "/healthz") as r:
                        if r.status == 200:
                            return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"gateway {self.name} did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    async def stop(self, sig: int = signal.SIGTERM, within: float = 30.0) -> int | None:
        """Send `sig` and wait for the exit (SIGKILL after `within` seconds)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return proc.returncode if proc else None
        proc.send_signal(sig)
        try:
            return await asyncio.to_thread(proc.wait, within)
        except subprocess.TimeoutExpired:
            proc.kill()
            return await asyncio.to_thread(proc.wait)


async def prepare_store(store_url: str, projects: list[str]) -> dict[str, str]:
    """Migrate the database once (before any gateway starts) and create a key per project."""
    store = SqlStore(store_url, secret=SECRET)
    await store.start()
    try:
        keys: dict[str, str] = {}
        for project in projects:
            _, keys[project] = await store.create_key(project, name=f"{project} test key")
        return keys
    finally:
        await store.close()


async def usage_ids(store_url: str, project: str | None = None) -> list[str]:
    store = SqlStore(store_url, secret=SECRET)
    await store.start()
    try:
        return [r.id for r in await store.list_usage(project=project, limit=100_000)]
    finally:
        await store.close()


async def chat(
    session: aiohttp.ClientSession,
    base: str,
    key: str,
    *,
    model: str = "up/small",
    stream: bool = False,
    text: str = "hello",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    body = {"model": model, "messages": [{"role": "user", "content": text}], "stream": stream}
    hdrs = {"authorization": f"Bearer {key}", **(headers or {})}
    async with session.post(base + "/v1/chat/completions", json=body, headers=hdrs) as r:
        data = await r.read()
        return r.status, {k.lower(): v for k, v in r.headers.items()}, data


@dataclass
class InProcessGateway:
    base_url: str
    app: Starlette
    state: GatewayState


@contextlib.asynccontextmanager
async def static_gateway(
    settings: Settings, wrap: Callable[[RoutingEngine], RoutingEngine] | None = None
) -> AsyncIterator[InProcessGateway]:
    """A gateway in this event loop on a free loopback port, routing by the model each request names
    (no classifier; `wrap` may decorate that engine), stopped on exit."""
    catalog = load_catalog(settings)
    engine: RoutingEngine = StaticRouter(catalog, settings.tiers)
    app = create_app(settings, catalog=catalog, engine=wrap(engine) if wrap else engine)
    server = InLoopServer(app)
    await server.start()
    try:
        yield InProcessGateway(server.base_url, app, app.state.gateway)
    finally:
        await server.stop()
