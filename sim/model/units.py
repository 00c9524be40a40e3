"""Time units and durations: numbers in the line's ``time_unit`` or strings such as ``"45 s"``."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import ValidationInfo

from sim.model.numbers import MAX_MAGNITUDE, number_problem

__all__ = [
    "MAX_DURATION_S",
    "MAX_RUN_S",
    "SECONDS_PER",
    "SECONDS_PER_MONTH",
    "TimeUnit",
    "canonical_time_unit",
    "check_run_time",
    "parse_duration",
]

TimeUnit = Literal["s", "min", "h", "d"]

SECONDS_PER: dict[str, float] = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}

_ALIASES = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "min"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "w"),
    **dict.fromkeys(("mo", "month", "months"), "mo"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "y"),
}
"""Spellings of time units a duration may carry (any case) -> the unit."""
SECONDS_PER_MONTH = 365 * 86400.0 / 12
"""A month: 1/12 of a 365-day year, 30.42 d [s] (ramp-up curves and monthly KPIs)."""
_EXTRA_SECONDS = {"w": 7 * 86400.0, "mo": SECONDS_PER_MONTH, "y": 365 * 86400.0}
_DURATION = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)\s*$")
MAX_DURATION_S = 1e6 * 365 * 86400.0
"""Longest duration accepted anywhere [s] (a million years: room for "never" written as
``mtbf: 1e9`` h, while arithmetic on it stays exact enough and finite)."""
MAX_RUN_S = 1000 * 365 * 86400.0
"""Longest horizon or warm-up [s] (1000 y): a longer run could never end."""
ACCEPTED = (
    "s, min, h, d, w, mo, y (also sec, mins, hr, hrs, hours, days, weeks, months, years, ...)"
)
"""What a duration's unit may be, for error messages."""


def canonical_time_unit(value: Any) -> str:
    """Return the line time unit (s, min, h or d) a spelling such as ``hours`` names;
    ``ValueError`` listing what is accepted otherwise."""
    unit = _ALIASES.get(value.strip().lower()) if isinstance(value, str) else None
    if unit not in SECONDS_PER:
        raise ValueError(
            f"time_unit must be one of s, min, h, d (or a spelling such as sec, mins, hrs, "
            f"hours, days) (got {value!r})"
        )
    return str(unit)


def _in_range(value: float, unit_seconds: float, text: Any) -> float:
    """Check a duration is finite and at most :data:`MAX_DURATION_S`; return it."""
    if not math.isfinite(value) or abs(value) * unit_seconds > MAX_DURATION_S:
        raise ValueError(
            f"{text!r} is out of range: a duration is finite and at most 1,000,000 y "
            f"({MAX_DURATION_S:.4g} s)"
        )
    return value


def parse_duration(value: Any, time_unit: str) -> float:
    """Return ``value`` as a number of ``time_unit``.

    A bare number is already in ``time_unit``; a string carries its unit (``"45 s"``,
    ``"20 h"``, ``"12 d"``, ``"4 months"`` = 4 x 365/12 d, ``"1 y"`` = 365 d).
    """
    if isinstance(value, bool):
        raise ValueError("a duration is a number or a string such as '45 s', not a boolean")
    if time_unit not in SECONDS_PER:
        time_unit = canonical_time_unit(time_unit)
    if isinstance(value, int) and abs(value) > MAX_MAGNITUDE:
        raise ValueError(str(number_problem(value)))
    if isinstance(value, int | float):
        return _in_range(float(value), SECONDS_PER[time_unit], value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            unit = _ALIASES.get(match.group(2).lower())
            if unit is None:
                raise ValueError(
                    f"{value!r} is not a duration: unknown time unit {match.group(2)!r}; write "
                    f"e.g. '45 s', '2.5 min', '20 h', '12 d' (units: {ACCEPTED})"
                )
            seconds = SECONDS_PER.get(unit) or _EXTRA_SECONDS[unit]
            number = _in_range(float(match.group(1)), seconds, value)
            return number * seconds / SECONDS_PER[time_unit]
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            return _in_range(number, SECONDS_PER[time_unit], value)
        raise ValueError(
            f"{value!r} is not a duration: give a number in the line's time unit or a string "
            f"with a unit, e.g. '45 s', '2.5 min', '20 h', '12 d' (units: {ACCEPTED})"
        )
    raise ValueError(f"a duration is a number or a string such as '45 s', got {value!r}")


def duration_validator(value: Any, info: ValidationInfo) -> Any:
    """Pydantic before-validator: resolve a duration against ``context['time_unit']``."""
    time_unit = (info.context or {}).get("time_unit", "h")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return parse_duration(value, time_unit)
    return value


def check_run_time(value: float, time_unit: str) -> float:
    """Return a horizon or warm-up [time unit], or ``ValueError`` above :data:`MAX_RUN_S`."""
    if value * SECONDS_PER[time_unit] > MAX_RUN_S:
        raise ValueError(
            f"{value:g} {time_unit} is over 1000 y, longer than any run can simulate; give a "
            "shorter time such as '330 d'"
        )
    return value
