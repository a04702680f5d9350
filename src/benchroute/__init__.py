"""benchroute: a self-hosted, benchmark-backed model router for coding assistants."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from benchroute.routing.router import Router

__all__ = ["Router", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy, so `import benchroute` stays cheap for the CLI and the gateway.
    if name == "Router":
        from benchroute.routing.router import Router

        return Router
    raise AttributeError(name)
