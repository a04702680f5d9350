"""`GET /`: a small HTML page for a person who opened the gateway's address in a browser."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from benchroute import __version__
from benchroute.gateway.state import GatewayState
from benchroute.providers.readiness import model_readiness

DOCS_URL = "https://github.com/benchroute/benchroute/tree/main/docs"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>benchroute</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}}
code{{background:#f3f3f3;padding:0 .2em}}</style></head>
<body><h1>benchroute {version}</h1>
<p>A model router for coding assistants. Point an OpenAI- or Anthropic-compatible client at
<code>{base}/v1</code> with a gateway key and ask for <code>auto</code>.</p>
<p>{callable} of {total} catalog models can be called from this gateway.{hint}</p>
<ul>
<li><a href="/dashboard">Dashboard</a>: usage, decisions, project settings</li>
<li><a href="/leaderboard">Leaderboard</a>: the public results the router routes on</li>
<li><a href="{docs}">Documentation</a> and the <a href="/openapi.json">OpenAPI description</a></li>
<li><a href="/healthz">Health</a></li>
</ul></body></html>
"""


async def home(request: Request) -> HTMLResponse:
    state: GatewayState = request.app.state.gateway
    ready = model_readiness(state.catalog, state.readiness())
    n = sum(1 for r in ready.values() if r.ready)
    hint = " Run <code>benchroute doctor</code> to see what is missing." if n == 0 else ""
    base = escape(str(request.base_url).rstrip("/"))
    page = _PAGE.format(
        version=__version__, base=base, callable=n, total=len(state.catalog), hint=hint, docs=DOCS_URL
    )
    return HTMLResponse(page)
