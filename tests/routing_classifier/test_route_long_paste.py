"""`benchroute route` on a one-line instruction over a 20k-character paste routes by the instruction."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from benchroute.cli.main import cli
from benchroute.routing.taxonomy import split_cell

PASTE = "".join(
    f"class Repo{i}:\n    def __init__(self, db):\n        self.db = db\n\n"
    f"    def get(self, key):\n        row = self.db.execute('select v from t where k = ?', (key,))\n"
    f"        return row.fetchone()\n\n"
    for i in range(120)
)


def _route_task(prompt: str) -> str:
    result = CliRunner().invoke(cli, ["route", prompt, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    decision = orjson.loads(result.output)
    mass: dict[str, float] = {}
    for cell_id, p in decision["cells"].items():
        task, _ = split_cell(cell_id)
        mass[task] = mass.get(task, 0.0) + p
    return max(mass, key=mass.__getitem__)


def test_instruction_decides_over_a_20k_paste() -> None:
    assert len(PASTE) > 20_000
    assert _route_task(f"write unit tests for this class\n\n```python\n{PASTE}```") == "tests"
    assert _route_task(f"```python\n{PASTE}```\n\nwhat does this code do?") == "explain"
