"""`create_gateway(settings)`: the gateway as a Starlette app; runtime state is built in the lifespan.

What is served beside the API (the dashboard, the live leaderboard) is passed in as `extra_routes` and
`services` by `benchroute.app.create_app`, which sits above the gateway."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from benchroute.catalog.model import Catalog
from benchroute.gateway import kilo, routes
from benchroute.gateway.auth import Authenticator
from benchroute.gateway.durable import WAL_DIR, UsageWal
from benchroute.gateway.edge import EDGE_EXTENSION
from benchroute.gateway.home import home
from benchroute.gateway.limits import RequestGuard
from benchroute.gateway.loopbudget import LoopBudget
from benchroute.gateway.middleware import CatchAll
from benchroute.gateway.openapi import openapi_json
from benchroute.gateway.projects import ProjectSettingsSource
from benchroute.gateway.reload import poll_free_pool
from benchroute.gateway.route_preview import route_preview
from benchroute.gateway.state import GatewayState, InFlight, ProviderKeys
from benchroute.limits.factory import open_shared
from benchroute.providers.base import Provider
from benchroute.providers.discovery import LocalServer
from benchroute.routing.base import RoutingEngine
from benchroute.routing.static import StaticRouter
from benchroute.sessions.factory import open_session_store
from benchroute.sessions.service import SessionRouter
from benchroute.settings import ServerSettings, Settings
from benchroute.store.base import Store
from benchroute.store.writer import UsageWriter

log = logging.getLogger("benchroute.gateway")

SHUTDOWN_GRACE_SECONDS = 30.0  # how long in-flight streams may take to finish on shutdown

# A background service started once the state is built (after the store, before serving); the task
# it returns is cancelled when the gateway stops.
Service = Callable[[Starlette, GatewayState], Awaitable["asyncio.Task[None]"]]


def build_engine(settings: Settings, catalog: Catalog) -> RoutingEngine:
    """The benchmark-backed Router when it can be built from the settings, else the static router."""
    from benchroute.routing.router import Router  # numpy and the classifier: only when serving

    try:
        return Router.from_settings(settings, catalog=catalog)
    except Exception as exc:  # no leaderboard / classifier: route statically, and say so
        log.warning("auto routing unavailable (%s); using the static router", exc)
        return StaticRouter(catalog, settings.tiers)


async def _discover(settings: Settings, session: Any) -> list[LocalServer]:
    if not settings.server.discover_local:
        return []
    from benchroute.providers.discovery import discover_local

    try:
        return await discover_local(session)
    except Exception as exc:  # discovery must never fail startup
        log.warning("local model discovery failed: %s", exc)
        return []


def _local_providers(found: list[LocalServer], session: Any, providers: dict[str, Provider]) -> None:
    from benchroute.providers.ollama import OllamaProvider
    from benchroute.providers.openai_compat import OpenAICompatProvider

    for server in found:
        if server.name in providers:
            continue
        cls = OllamaProvider if server.kind == "ollama" else OpenAICompatProvider
        providers[server.name] = cls(server.name, server.base_url, session)


async def _open_records(
    settings: Settings, store: Store | None, stack: AsyncExitStack
) -> tuple[Store, UsageWriter, UsageWal | None]:
    """The store (unless injected), the usage writer and the write-ahead log; `stack` closes them
    in the right order (the log, then the writer flushes, then the store)."""
    if store is None:
        from benchroute.store.factory import open_store

        store = open_store(settings)  # ensures the server secret
        await store.start()  # applies migrations
        stack.push_async_callback(store.close)
    writer = UsageWriter.from_settings(store, settings)
    await writer.start()
    stack.push_async_callback(writer.close)  # flushes every acknowledged record (before store.close)
    wal = None
    if settings.store.wal:
        wal = UsageWal(Path(settings.data_dir) / WAL_DIR, writer, fsync=settings.store.wal_fsync)
        await wal.start()  # replays what a crashed run wrote ahead
        stack.push_async_callback(wal.close)  # runs before writer.close
    return store, writer, wal


async def _open_upstreams(
    settings: Settings,
    providers: dict[str, Provider] | None,
    catalog: Catalog | None,
    stack: AsyncExitStack,
) -> tuple[dict[str, Provider], Catalog, list[LocalServer]]:
    """The providers and the catalog (unless injected), with the local servers discovered."""
    session = None
    found: list[LocalServer] = []
    if providers is None or catalog is None:
        from benchroute.providers.http import create_session

        session = create_session(
            connect_timeout=settings.server.connect_timeout, read_timeout=settings.server.read_timeout
        )
        stack.push_async_callback(session.close)
        if catalog is None:
            found = await _discover(settings, session)
    if providers is None:
        from benchroute.providers.registry import build_providers

        assert session is not None
        providers = dict(build_providers(settings, session))
        _local_providers(found, session, providers)
        built = providers

        async def close_providers() -> None:
            for p in built.values():
                try:
                    await p.aclose()
                except Exception:
                    log.warning("closing provider %s failed", p.name, exc_info=True)

        stack.push_async_callback(close_providers)
    if catalog is None:
        from benchroute.catalog.loader import load_catalog

        catalog = load_catalog(settings, discovered=found)
    return providers, catalog, found


@asynccontextmanager
async def _lifespan(
    app: Starlette,
    settings: Settings,
    store: Store | None,
    providers: dict[str, Provider] | None,
    engine: RoutingEngine | None,
    catalog: Catalog | None,
    on_ready: Callable[[GatewayState], None] | None,
    services: Sequence[Service],
) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        store, writer, wal = await _open_records(settings, store, stack)
        providers, catalog, found = await _open_upstreams(settings, providers, catalog, stack)
        limiter, health = await open_shared(settings, stack)
        engine = engine or build_engine(settings, catalog)
        session_store = open_session_store(settings)  # Redis when store.redis_url is set
        stack.push_async_callback(session_store.aclose)
        inflight = InFlight()
        state = GatewayState(
            settings=settings,
            store=store,
            writer=writer,
            providers=providers,
            catalog=catalog,
            engine=engine,
            auth=Authenticator(store, settings.server),
            health=health,
            provider_keys=ProviderKeys(store),
            discovered=found,
            limiter=limiter,
            wal=wal,
            projects=ProjectSettingsSource(settings, store),
            sessions=SessionRouter(session_store, catalog=catalog),
            inflight=inflight,
            loop_budget=LoopBudget(settings.server.loop_budget, inflight=inflight),
        )
        app.state.gateway = state
        if isinstance(app, GatewayApp):
            app.gateway_state = state  # what the pipeline reads (see `GatewayApp`)
        tasks = [asyncio.ensure_future(poll_free_pool(state))]
        for service in services:
            tasks.append(await service(app, state))
        if on_ready is not None:
            on_ready(state)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            # uvicorn stopped accepting already; give running streams a bounded time to finish.
            if not await state.inflight.wait_idle(SHUTDOWN_GRACE_SECONDS):
                log.warning(
                    "shutdown: %d requests still running after the grace period", state.inflight.count
                )


def post_endpoints() -> dict[str, ASGIApp]:
    """The POST paths served straight by the pipeline, each behind the catch-all: every dialect
    (chat completions, messages, responses) under every base path a client may use (`/v1`, the
    root, Kilo's `/api/...`)."""
    wrapped: dict[ASGIApp, ASGIApp] = {}  # one catch-all per handler
    out: dict[str, ASGIApp] = {}
    for path, handler in kilo.post_handlers().items():
        if handler not in wrapped:
            wrapped[handler] = CatchAll(handler)
        out[path] = wrapped[handler]
    return out


class GatewayApp(Starlette):
    """Starlette, with the pipeline's POST paths sent straight to their handlers: the hot path
    skips the router and the exception middleware (the handler maps its own errors, and the
    catch-all covers the rest). Other methods on those paths go through the router (405).

    The gateway's HTTP protocol enforces the header limits and the body deadline while the bytes
    arrive (its scope carries `extensions["benchroute.edge"]`); under any other ASGI server
    `RequestGuard` enforces them here."""

    def __init__(self, *, post_paths: dict[str, ASGIApp], server: ServerSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.post_paths = post_paths
        self.server_settings = server  # the HTTP edge (gateway.edge) reads its limits from here
        # the state, once the lifespan built it: `app.state.gateway` too, but read per request
        # here (a plain attribute; `app.state` is Starlette's `State`, slower to ask)
        self.gateway_state: GatewayState | None = None
        self._guarded = RequestGuard(self._dispatch, server)  # header count/size, slow bodies

    def edge_endpoint(self, method: str, path: str) -> ASGIApp | None:
        """The handler the gateway's HTTP protocol may call straight for this request (the
        pipeline's POST paths, behind their catch-all), skipping this app's `__call__` and
        dispatch; it sets `scope["app"]` to this app first, as the dispatch does."""
        return self.post_paths.get(path) if method == "POST" else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if EDGE_EXTENSION in scope.get("extensions", ()):
            await self._dispatch(scope, receive, send)
        else:
            await self._guarded(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            endpoint = self.post_paths.get(scope["path"])
            if endpoint is not None:
                scope["app"] = self
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_gateway(
    settings: Settings,
    *,
    store: Store | None = None,
    providers: dict[str, Provider] | None = None,
    engine: RoutingEngine | None = None,
    catalog: Catalog | None = None,
    on_ready: Callable[[GatewayState], None] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
    services: Sequence[Service] = (),
) -> Starlette:
    """The gateway app. Whatever is not injected is built from `settings` when the app starts;
    `on_ready` is called with the state once it is built (the CLI prints what it found).
    `extra_routes` are served after the API's; each of `services` is started once the state is built."""

    def lifespan(app: Starlette) -> Any:
        return _lifespan(app, settings, store, providers, engine, catalog, on_ready, services)

    post_paths = post_endpoints()
    return GatewayApp(
        post_paths=post_paths,
        server=settings.server,
        routes=[
            *(Route(path, endpoint, methods=["POST"]) for path, endpoint in post_paths.items()),
            Route("/v1/models", routes.models, methods=["GET"]),
            Route("/models", routes.models, methods=["GET"]),
            *kilo.model_routes(skip=frozenset({"/v1/models", "/models"})),
            Route("/v1/usage", routes.usage, methods=["GET"]),
            Route("/v1/route", route_preview, methods=["POST"]),
            Route("/v1/decisions", routes.decisions, methods=["GET"]),
            Route("/v1/decisions/{decision_id}", routes.decision, methods=["GET"]),
            Route("/v1/sessions/{key}", routes.session, methods=["GET"]),
            Route("/healthz", routes.healthz, methods=["GET"]),
            Route("/", home, methods=["GET"]),
            Route("/openapi.json", openapi_json, methods=["GET"]),
            *extra_routes,
        ],
        middleware=[Middleware(CatchAll)],
        exception_handlers={HTTPException: routes.http_error},
        lifespan=lifespan,
    )
