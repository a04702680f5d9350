"""How numbers that are compared are printed: one rounding everywhere, with enough decimals that
two unequal numbers never read equal.

Rounding to a fixed number of decimals is monotone, so a printed relation (L ≥ bar, A < bar) can
never read reversed; it can only read as a tie ("0.467 is below the bar 0.467"). `apart` adds
decimals (from 3 up to `MAX_DIGITS`) until the numbers differ as printed. Every place that prints
a compared number rounds it the same way (round half to even, Python's `format`), so the
explanation, `benchroute route` and the dashboard show the same value (one may show more decimals
where it has a closer pair to tell apart)."""

from __future__ import annotations

from collections.abc import Iterable

DIGITS = 3  # decimals of an accuracy, interval end or bar
MAX_DIGITS = 6  # beyond this, a difference is not worth reading (and may be float noise)


def digits_apart(pairs: Iterable[tuple[float, float]], least: int = DIGITS) -> int:
    """The fewest decimals (at least `least`) at which every unequal pair prints unequal."""
    digits = least
    for a, b in pairs:
        while digits < MAX_DIGITS and a != b and f"{a:.{digits}f}" == f"{b:.{digits}f}":
            digits += 1
    return digits


def fmt(x: float, digits: int = DIGITS) -> str:
    return f"{x:.{digits}f}"


def apart(a: float, b: float, least: int = DIGITS) -> tuple[str, str]:
    """`a` and `b` printed with the same decimals, the fewest at which they differ if unequal."""
    digits = digits_apart([(a, b)], least)
    return fmt(a, digits), fmt(b, digits)
