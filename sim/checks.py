"""Checks of the Python API's own arguments, so a notebook gets the same clear errors as
the command line: a :class:`sim.errors.ConfigError` naming the function, the argument and
what is allowed, never a raw TypeError or OverflowError from deep inside a run.

The numbers inside line and scenario files are checked by the model (``sim.model``); these
checks cover what a caller passes to :func:`sim.run` and its siblings.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from sim.errors import ConfigError

__all__ = [
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "check_duration",
    "check_jobs",
    "check_overrides",
    "check_path",
    "check_positive",
    "check_whole",
]

MAX_REPLICATIONS = 100_000
"""Most replications a run may ask for, as in a scenario file [-]."""

MAX_SEED = 2**63 - 1
"""Largest root seed, as in a scenario file [-]."""


def _fail(function: str, argument: str, message: str) -> ConfigError:
    return ConfigError(message, file=f"sim.{function}()", path=argument)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_whole(function: str, argument: str, value: Any, low: int, high: int) -> int | None:
    """Return ``value`` as an int if it is a whole number in [low, high] (``None`` passes)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        if isinstance(value, float) and value.is_integer() and low <= value <= high:
            return int(value)
        raise _fail(
            function,
            argument,
            f"must be a whole number from {low:,} to {high:,}, got {_shown(value)}",
        )
    if not low <= int(value) <= high:
        raise _fail(
            function,
            argument,
            f"must be from {low:,} to {high:,}, got {int(value):,}"
            if int(value).bit_length() < 64
            else f"must be from {low:,} to {high:,}, got a {len(str(int(value)))}-digit number",
        )
    return int(value)


def check_positive(
    function: str, argument: str, value: Any, *, unbounded: bool = False
) -> float | None:
    """Return ``value`` as a float if it is a finite number > 0 (``None`` passes; with
    ``unbounded`` also ``inf``, meaning no bound)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise _fail(function, argument, f"must be a number > 0, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if unbounded and number == math.inf:
        return number
    if not (math.isfinite(number) and number > 0):
        what = "a number > 0 (inf: no bound)" if unbounded else "a finite number > 0"
        raise _fail(function, argument, f"must be {what}, got {_shown(value)}")
    return number


def check_duration(function: str, argument: str, value: Any, zero: bool) -> float | str | None:
    """Check a horizon or warm-up: a finite number (> 0, or >= 0 with ``zero``) in the
    line's time unit, or a string such as ``"30 d"`` the model parses (``None`` passes)."""
    if value is None or isinstance(value, str):
        if isinstance(value, str) and not value.strip():
            raise _fail(function, argument, "is empty; give a number or e.g. '30 d'")
        return value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise _fail(
            function,
            argument,
            f"must be a number in the line's time unit or a string such as '30 d', "
            f"got {_shown(value)}",
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or number < 0 or (number == 0 and not zero):
        bound = ">= 0" if zero else "> 0"
        raise _fail(function, argument, f"must be a finite number {bound}, got {_shown(value)}")
    return number


def check_finite_time(function: str, argument: str, value: float, unit: str) -> None:
    """Refuse a horizon or warm-up that came out infinite once parsed (``"1e309 h"``)."""
    if not math.isfinite(value):
        raise _fail(
            function,
            argument,
            f"is infinite in {unit} (a number too large); give a finite duration such as '30 d'",
        )


def check_overrides(function: str, value: Any) -> dict[str, Any]:
    """Return the overrides as a dict of dotted path -> value.

    A mapping ``{"release.wip": 8}`` is what the API takes; a list of ``"PATH=VALUE"``
    strings (the command line's ``--set``) is refused with the form to use.
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str) or not key.strip():
                raise _fail(
                    function,
                    "overrides",
                    f"keys must be dotted paths such as 'release.wip', got {_shown(key)}",
                )
        return dict(value)
    example = "{'release.wip': 8}"
    if isinstance(value, list | tuple) and all(isinstance(v, str) and "=" in v for v in value):
        pairs = ", ".join(f"{v.partition('=')[0]!r}: ..." for v in value[:2])
        example = "{" + pairs + "}"
    raise _fail(
        function,
        "overrides",
        f"must be a mapping of dotted path to value, e.g. {example}; got {type(value).__name__}",
    )


def check_path(function: str, argument: str, value: Any, what: str) -> str:
    """Return a file argument as a string path; ``None`` or another type is refused."""
    if isinstance(value, str | os.PathLike) and str(value):
        return os.fspath(value)
    raise _fail(function, argument, f"must be the path of {what}, got {_shown(value)}")


def check_jobs(function: str, jobs: Any) -> int | None:
    """Return ``jobs`` (worker processes, ``None``: one per core) after checking it."""
    return check_whole(function, "jobs", jobs, 1, 4096)


def check_folder(function: str, argument: str, value: Any) -> Path | None:
    """Return an output folder argument as a Path (``None`` passes)."""
    if value is None:
        return None
    return Path(check_path(function, argument, value, "a folder"))


def precision_for(function: str, written: Any, given: Any) -> Any:
    """The precision-driven replications of a run: ``given`` [%] (``True``: the file's,
    ``False``: none, a fixed count) over the scenario's ``written`` block; a number
    replaces its half-width, keeping its KPIs and counts."""
    from sim.model.precision import PrecisionSpec

    if given is None:
        return written
    if given is False:
        return None
    if given is True:
        if written is None:
            raise _fail(
                function,
                "precision",
                "True needs a precision: block in the file; give a half-width such as 0.5 [%]",
            )
        return written
    half = check_positive(function, "precision", given)
    if half is None or half > 100:
        raise _fail(function, "precision", f"must be a half-width in (0, 100] [%], got {given!r}")
    base = written.model_dump() if written is not None else {}
    return PrecisionSpec(**{**base, "half_width": half})
