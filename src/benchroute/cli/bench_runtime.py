"""What `bench run` and `bench pool` share: the run summary line, and the providers, catalog and
store a run uses (configured directly, or every call through a running gateway)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from benchroute.bench.runner import RunSummary
    from benchroute.settings import Settings


def print_summary(summary: RunSummary) -> None:
    click.echo(
        f"run {summary.run_id}: {summary.done} scored, {summary.passed} passed ({summary.pass_rate:.1%}), "
        f"{summary.errors} provider errors, {summary.already_done} already done, "
        f"{summary.unsupported} unsupported here, spend ${summary.spend_usd:.4f} (this invocation)"
    )
    if summary.stopped_by_budget:
        click.echo(
            f"stopped at the budget: {summary.remaining} not run (rerun with the same --run-id to resume)"
        )
    for sample in summary.error_samples[:5]:
        click.echo(f"  error: {sample}", err=True)


async def with_runtime(settings: Settings, body: Any) -> Any:
    from benchroute.catalog.loader import load_catalog
    from benchroute.providers.http import create_session
    from benchroute.providers.registry import build_providers
    from benchroute.store.factory import started_store

    catalog = load_catalog(settings)
    async with create_session() as session, started_store(settings) as store:
        providers = build_providers(settings, session)
        try:
            return await body(providers, catalog, store)
        finally:
            for provider in providers.values():
                await provider.aclose()


async def via_gateway(settings: Settings, url: str, key: str | None, ids: list[str], body: Any) -> Any:
    """Like `with_runtime`, but every call goes through a running benchroute gateway (its `/v1`
    chat completions, each model asked for by its catalog id). Results go to this config's store;
    then the gateway is asked to refresh its leaderboard (and warned about if it does not see them)."""
    from dataclasses import replace

    import aiohttp

    from benchroute import __version__
    from benchroute.catalog.loader import load_catalog
    from benchroute.catalog.model import Catalog, ModelInfo
    from benchroute.providers.http import create_session
    from benchroute.providers.openai_compat import OpenAICompatProvider
    from benchroute.routing.static import normalise_tier
    from benchroute.store.factory import started_store

    base = url.rstrip("/").removesuffix("/v1")
    auth = {"authorization": f"Bearer {key}"} if key else {}
    local = load_catalog(settings)
    async with aiohttp.ClientSession() as session, started_store(settings) as store:
        try:
            async with session.get(f"{base}/v1/models", headers=auth) as resp:
                if resp.status != 200:
                    raise click.ClickException(
                        f"{base}/v1/models answered {resp.status}: {await resp.text()}"
                    )
                served = {m["id"] for m in (await resp.json())["data"]}
        except aiohttp.ClientError as exc:
            raise click.ClickException(f"cannot reach the gateway at {base}: {exc}") from exc
        infos = []
        for model_id in ids:
            if normalise_tier(model_id) is not None or model_id not in served:
                raise click.ClickException(f"the gateway at {base} does not serve the model {model_id!r}")
            info = local.get(model_id)
            if info is None:
                click.echo(f"{model_id} is not in the local catalog: its cost is counted as 0", err=True)
                info = ModelInfo(id=model_id, provider="gateway", upstream_id=model_id)
            infos.append(replace(info, upstream_id=model_id))  # the gateway takes catalog ids
        agent = {"user-agent": f"benchroute-bench/{__version__}"}
        async with create_session() as upstream:
            gateway = OpenAICompatProvider("gateway", f"{base}/v1", upstream, api_key=key, headers=agent)
            # Keyed by each model's own provider name, so results say which provider served them.
            result = await body({info.provider: gateway for info in infos}, Catalog(infos), store)
        await refresh_gateway(session, base, auth, len(await store.list_bench_results()))
        return result


async def refresh_gateway(session: Any, base: str, auth: dict[str, str], stored: int) -> None:
    """Ask the gateway to re-read bench results now (needs an admin key; else its timer does)."""
    import aiohttp

    try:
        async with session.post(f"{base}/v1/leaderboard/refresh", headers=auth) as resp:
            status = resp.status
            seen = (await resp.json()).get("bench_results") or {} if status == 200 else None
    except (aiohttp.ClientError, ValueError) as exc:
        click.echo(f"could not ask the gateway to refresh its leaderboard: {exc}", err=True)
        return
    if seen is None:
        click.echo(f"the gateway refreshes its leaderboard within a minute (now: HTTP {status})")
    elif seen.get("count") != stored:
        click.echo(
            f"warning: the gateway sees {seen.get('count')} bench results, this store has {stored}: "
            "use the gateway's config (its [store] url) so its leaderboard gets these results",
            err=True,
        )
    else:
        click.echo(f"gateway leaderboard refreshed ({stored} bench results)")
