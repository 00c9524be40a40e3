"""The one number format of linesim: console tables, plots, report.html.

Numbers are written for people: at most about four significant digits, thousands
separators, and millions or billions as ``60.31 M`` rather than ``6.031e+07``; the unit
follows, as in ``60.31 M EUR / year``.
"""

from __future__ import annotations

import math

__all__ = ["format_number", "format_quantity"]

_SCALES = ((1e12, "T"), (1e9, "G"), (1e6, "M"))


def format_number(value: float | None) -> str:
    """A number in at most about five significant digits; '-' for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    magnitude = abs(value)
    for scale, prefix in _SCALES:
        if magnitude >= scale:
            return f"{value / scale:,.4g} {prefix}" if magnitude < 1e15 else f"{value:.4g}"
    if magnitude != 0 and magnitude < 1e-3:
        return f"{value:.4g}"
    return f"{value:,.4f}" if magnitude < 10 else f"{value:,.2f}"


def format_quantity(value: float | None, unit: str | None) -> str:
    """``value`` formatted with its unit (none for '-' or ''), e.g. '60.31 M EUR'."""
    text = format_number(value)
    if text == "-" or not unit or unit == "-":
        return text
    return f"{text} {unit}"
