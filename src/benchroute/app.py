"""`create_app(settings)`: the whole server as one ASGI app, the top of the package.

The gateway (`gateway/app.py`: the API, the request pipeline, the runtime state) with what is
served beside it: the live leaderboard (`bench/live.py`: `/leaderboard`, `/v1/leaderboard`, and the
refresh that swaps new bench results into the router) and the dashboard (`dashboard/`, under
`/dashboard`). The gateway does not import either: they sit above it and read its state.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette

from benchroute.bench.live import leaderboard_routes, start_leaderboard
from benchroute.catalog.model import Catalog
from benchroute.dashboard.app import create_dashboard
from benchroute.gateway.app import create_gateway
from benchroute.gateway.state import GatewayState
from benchroute.providers.base import Provider
from benchroute.routing.base import RoutingEngine
from benchroute.settings import Settings
from benchroute.store.base import Store


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    providers: dict[str, Provider] | None = None,
    engine: RoutingEngine | None = None,
    catalog: Catalog | None = None,
    on_ready: Callable[[GatewayState], None] | None = None,
) -> Starlette:
    """The server. Whatever is not injected is built from `settings` when the app starts;
    `on_ready` is called with the gateway's state once it is built (the CLI prints what it found)."""
    return create_gateway(
        settings,
        store=store,
        providers=providers,
        engine=engine,
        catalog=catalog,
        on_ready=on_ready,
        extra_routes=[*leaderboard_routes(), create_dashboard()],
        services=[start_leaderboard],  # bench results -> router, every minute
    )
