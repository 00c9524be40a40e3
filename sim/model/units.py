"""Time units and durations: numbers in the line's ``time_unit`` or strings such as ``"45 s"``."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import ValidationInfo

__all__ = ["SECONDS_PER", "TimeUnit", "convert", "parse_duration"]

TimeUnit = Literal["s", "min", "h", "d"]

SECONDS_PER: dict[str, float] = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}

_ALIASES = {
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "min": "min",
    "minute": "min",
    "minutes": "min",
    "h": "h",
    "hr": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "week": "w",
    "weeks": "w",
    "y": "y",
    "year": "y",
    "years": "y",
}
_EXTRA_SECONDS = {"w": 7 * 86400.0, "y": 365 * 86400.0}
_DURATION = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)\s*$")


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a time ``value`` [from_unit] into [to_unit]."""
    return value * SECONDS_PER[from_unit] / SECONDS_PER[to_unit]


def parse_duration(value: Any, time_unit: str) -> float:
    """Return ``value`` as a number of ``time_unit``.

    A bare number is already in ``time_unit``; a string carries its unit (``"45 s"``,
    ``"20 h"``, ``"12 d"``, ``"1 y"`` = 365 d).
    """
    if isinstance(value, bool):
        raise ValueError("a duration is a number or a string such as '45 s', not a boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"a duration must be finite, got {value!r}")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            unit = _ALIASES.get(match.group(2).lower())
            if unit is not None:
                seconds = SECONDS_PER.get(unit) or _EXTRA_SECONDS[unit]
                return float(match.group(1)) * seconds / SECONDS_PER[time_unit]
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
        raise ValueError(
            f"{value!r} is not a duration: give a number in the line's time unit or a string "
            "with a unit, e.g. '45 s', '2.5 min', '20 h', '12 d'"
        )
    raise ValueError(f"a duration is a number or a string such as '45 s', got {value!r}")


def duration_validator(value: Any, info: ValidationInfo) -> Any:
    """Pydantic before-validator: resolve a duration against ``context['time_unit']``."""
    time_unit = (info.context or {}).get("time_unit", "h")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return parse_duration(value, time_unit)
    return value
