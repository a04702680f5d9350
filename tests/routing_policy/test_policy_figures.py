"""One rounding for compared numbers (routing/figures.py): unequal numbers never read equal, a
printed relation never reads reversed, and the CLI prints the bar the explanation quotes."""

from __future__ import annotations

import re

import orjson
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from benchroute.cli.main import cli
from benchroute.routing.figures import MAX_DIGITS, apart, digits_apart


def test_apart_adds_decimals_only_when_needed() -> None:
    assert apart(0.4669, 0.4671) == ("0.4669", "0.4671")
    assert apart(0.803, 0.921) == ("0.803", "0.921")
    assert apart(0.5, 0.5) == ("0.500", "0.500")
    assert digits_apart([(0.80341, 0.80349), (0.1, 0.9)]) == 4


@given(st.floats(0, 1), st.floats(0, 1))
def test_printed_order_is_the_true_order(a: float, b: float) -> None:
    x, y = apart(a, b)
    assert len(x) == len(y)
    if abs(a - b) >= 10**-MAX_DIGITS:
        assert x != y
    # the same decimals and a monotone rounding: comparing the strings compares the numbers
    if x != y:
        assert (x < y) == (a < b)


def test_route_cli_prints_the_bar_its_explanation_quotes() -> None:
    prompt = "why does this raise KeyError? Traceback ..."  # the README's example
    result = CliRunner().invoke(cli, ["route", prompt, "--mode", "debug"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    quoted = re.search(r"≥ the bar (\d\.\d+)", text)
    line = re.search(r"expected cost \S+ bar (\d\.\d+)", text)
    assert quoted and line, result.output
    bar = orjson.loads(CliRunner().invoke(cli, ["route", prompt, "--mode", "debug", "--json"]).output)["bar"]
    for shown in (quoted.group(1), line.group(1)):  # each is the bar, rounded the one way
        assert shown == f"{bar:.{len(shown) - 2}f}"
    # the table keeps the bar apart from every candidate's lower end, the sentence from the three
    # it names (each a candidate's lower end): the line never has fewer decimals than the sentence
    assert len(line.group(1)) >= len(quoted.group(1))
