"""Plain tables for the CLI: fit the terminal (80 columns when piped), never wrap a cell.

Columns are given most important first; those that do not fit are left out from the right (and
named under the table), so an id is always printed whole on one line. `--format csv` and `--json`
print every column.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import click

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    right: bool = False  # right-aligned (numbers)
    keep: bool = False  # never left out


def width() -> int:
    """The terminal's width; 80 when not a terminal (piped, captured) unless COLUMNS says."""
    return shutil.get_terminal_size((80, 24)).columns


def fit(columns: Sequence[Column], rows: Sequence[Sequence[str]], limit: int) -> list[int]:
    """Indexes of the columns to print: all that fit in `limit`, dropping unkept ones from the right."""
    sizes = [max([len(c.title), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    chosen = list(range(len(columns)))
    while sum(sizes[i] for i in chosen) + 2 * (len(chosen) - 1) > limit:
        droppable = [i for i in chosen if not columns[i].keep]
        if not droppable:
            break
        chosen.remove(droppable[-1])
    return chosen


def render(columns: Sequence[Column], rows: Sequence[Sequence[str]], limit: int | None = None) -> str:
    limit = width() if limit is None else limit
    chosen = fit(columns, rows, limit)
    sizes = {i: max([len(columns[i].title), *(len(r[i]) for r in rows)]) for i in chosen}

    def line(cells: Sequence[str]) -> str:
        out = [cells[i].rjust(sizes[i]) if columns[i].right else cells[i].ljust(sizes[i]) for i in chosen]
        return "  ".join(out).rstrip()

    lines = [line([c.title for c in columns]), "  ".join("-" * sizes[i] for i in chosen)]
    lines += [line(r) for r in rows]
    dropped = [columns[i].title for i in range(len(columns)) if i not in chosen]
    if dropped:
        note = f"(not shown at {limit} columns: {', '.join(dropped)}; see --format csv or --json)"
        lines.append(textwrap.fill(note, limit))
    return "\n".join(lines)


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    if not records:
        return ""
    buf = io.StringIO()
    fields = list(records[0])
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_value(v) for k, v in record.items()})
    return buf.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def output_format(as_json: bool, fmt: str | None) -> str:
    if as_json and fmt not in (None, "json"):
        raise click.UsageError("--json and --format csv/table are exclusive")
    return "json" if as_json else (fmt or "table")


F = TypeVar("F", bound=Callable[..., Any])


def format_option() -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="table (fits the terminal), csv or json (every column).",
    )


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2)
