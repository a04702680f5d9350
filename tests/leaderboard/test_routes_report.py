"""`benchroute leaderboard --routes`: the routing table of the shipped catalog and evidence."""

from __future__ import annotations

from click.testing import CliRunner

from benchroute.catalog.loader import load_catalog
from benchroute.cli.main import cli
from benchroute.leaderboard.routes import DIALS, routing_table, to_markdown
from benchroute.routing.evidence import load_default_snapshot
from benchroute.routing.taxonomy import CODING_ROUTES


def test_every_coding_cell_has_candidates_and_monotone_choices() -> None:
    rows = routing_table(load_catalog(), load_default_snapshot())
    assert len(rows) == 3 * len(CODING_ROUTES)
    for row in rows:
        assert row.candidates, row.cell
        assert all(
            c.low is not None and c.high is not None and c.low <= (c.expected_accuracy or 0) <= c.high
            for c in row.candidates
        )
        costs = [d.expected_cost or 0.0 for d in row.choices]
        assert costs == sorted(costs), row.cell  # dial 0 -> 1: never cheaper
        assert [d.dial for d in row.choices] == list(DIALS)
    assert sum(r.choices[0].model != r.choices[-1].model for r in rows) >= len(rows) // 2
    assert to_markdown(rows).count("\n") == len(rows) + 2


def test_cli_prints_the_table() -> None:
    result = CliRunner().invoke(cli, ["leaderboard", "--routes"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "debug:hard" in result.output and "dial 0.5:" in result.output


def test_the_router_exposes_the_table_the_report_prints() -> None:
    from benchroute.routing.router import Router
    from benchroute.routing.table import CellProbe

    router = Router(load_catalog(), load_default_snapshot(), CellProbe())
    table = router.routing_table()
    rows = routing_table(load_catalog(), load_default_snapshot())
    assert [t["route"] for t in table] == [r.cell for r in rows]
    for t, r in zip(table, rows, strict=True):
        assert [t["dial_0"], t["dial_0.5"], t["dial_1"]][-1].split(" ")[0].split("@")[0] == r.choices[
            -1
        ].model
        assert all(f"dial_{d:g}_detail" in t for d in DIALS)


def test_published_page_has_the_routing_table_section(tmp_path: object) -> None:
    from pathlib import Path

    result = CliRunner().invoke(
        cli, ["leaderboard", "--out", str(Path(str(tmp_path)) / "site")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    page = (Path(str(tmp_path)) / "site" / "index.html").read_text()
    assert "<table id=routing-table>" in page and "debug:hard" in page and "dial 0.5" in page


def test_a_cell_nothing_can_serve_is_a_row_not_an_error() -> None:
    from benchroute.catalog.model import Catalog, ModelInfo
    from benchroute.routing.evidence import Snapshot
    from benchroute.routing.router import Router
    from benchroute.routing.table import CellProbe
    from benchroute.settings import TierSettings

    small = ModelInfo(id="local/s", provider="local", upstream_id="s", context=2048)  # 8k tokens do not fit
    tiers = TierSettings(balanced={"chat": "local/s", "messages": "local/s", "responses": "local/s"})
    table = Router(Catalog([small]), Snapshot(), CellProbe(), tiers).routing_table()
    assert len(table) == 3 * len(CODING_ROUTES)
    assert {t["dial_0"] for t in table} == {"-"} and table[0]["dial_0_detail"].startswith("unroutable")
