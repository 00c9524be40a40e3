"""How linesim writes a number for people: one rule per kind of figure, for the console,
the reports, the plots' labels and the messages alike.

- a **count** (replications, runs, points, machines, rows): a whole number with
  thousands separators, ``1,234,567``;
- a **measure** (a KPI's mean or CI bound, a rate, a time, a cost): four significant
  digits, ``0.392``, ``20.37``, ``478.8``; a whole number with thousands separators from
  1,000 to 999,999 (``14,694``); millions, billions and trillions as ``60.31 M``,
  ``1.25 G``, ``3 T``; never ``6.031e+07`` (scientific notation only below 0.0001 and
  from 10^15 on);
- a **share** of time or of units (states, OEE, yield; unit ``-``): four decimals,
  ``0.7092``, ``0.0000``;
- a **percentage**: one decimal and a space before the sign, ``78.9 %``, ``+16.3 %``;
- an **elapsed time** on the wall clock (how long a command took): seconds with one
  decimal, ``1.4 s``, ``1,234.5 s``.

A missing value (``None`` or NaN) is ``-``. Plain dicts and floats in, strings out: every
layer may import this module (the engine never prints, so it does not).
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = [
    "count",
    "elapsed",
    "number",
    "percent",
    "plural",
    "quantity",
    "share",
    "share_percent",
    "value_in",
]

_SCALES = ((1e12, "T"), (1e9, "G"), (1e6, "M"))

SIGNIFICANT = 4
"""Significant digits of a measure [-]."""


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, *, signed: bool = False) -> str:
    """A measure in four significant digits (see the module); ``signed`` adds ``+``."""
    if _missing(value):
        return "-"
    assert value is not None
    sign = "+" if signed else ""
    if math.isinf(value):
        return f"{sign}inf" if value > 0 else "-inf"
    magnitude = abs(value)
    if magnitude == 0:
        return f"{sign}0" if signed else "0"
    if magnitude >= 1e15:
        return f"{value:{sign}.{SIGNIFICANT}g}"
    for scale, prefix in _SCALES:
        if magnitude >= scale:
            return f"{value / scale:{sign},.{SIGNIFICANT}g} {prefix}"
    if magnitude >= 10 ** (SIGNIFICANT - 1):
        return f"{value:{sign},.0f}"
    return f"{value:{sign},.{SIGNIFICANT}g}"


def count(value: float | None) -> str:
    """A count as a whole number with thousands separators (``1,234,567``)."""
    if _missing(value):
        return "-"
    assert value is not None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{round(value):,}"


def elapsed(seconds: float) -> str:
    """How long something took on the wall clock, ``1.4 s`` (one decimal)."""
    return f"{seconds:,.1f} s"


def share(value: float | None) -> str:
    """A share [-] with four decimals (``0.7092``)."""
    if _missing(value):
        return "-"
    assert value is not None
    return f"{value:.4f}"


def percent(value: float | None, *, signed: bool = False) -> str:
    """A percentage (``value`` in %) with one decimal: ``78.9 %``; ``signed``: ``+16.3 %``."""
    if _missing(value):
        return "-"
    assert value is not None
    return f"{value:{'+' if signed else ''}.1f} %"


def share_percent(value: float | None, *, signed: bool = False) -> str:
    """A share [-] written as a percentage: 0.789 -> ``78.9 %``."""
    return percent(None if _missing(value) else 100 * float(value or 0.0), signed=signed)


def value_in(value: float | None, unit: str | None) -> str:
    """A KPI's number by the kind its unit tells: a share for ``-`` (a value from -1 to
    1), else a measure."""
    if unit == "-" and isinstance(value, Real) and not isinstance(value, bool):
        fraction = float(value)
        if abs(fraction) <= 1:
            return share(fraction)
    return number(value)


def quantity(value: float | None, unit: str | None) -> str:
    """A measure with its unit, ``60.31 M EUR`` (no unit after ``-``, nor for ``-`` or
    an empty unit; a share for unit ``-``)."""
    text = value_in(value, unit)
    if text == "-" or not unit or unit == "-":
        return text
    return f"{text} {unit}"


def plural(amount: float, word: str, words: str | None = None) -> str:
    """A count and its noun in the right number: ``1 replication``, ``2 replications``,
    ``1,000 runs`` (``words``: the plural when it is not ``word + "s"``)."""
    many = words if words is not None else f"{word}s"
    return f"{count(amount)} {word if amount == 1 else many}"
