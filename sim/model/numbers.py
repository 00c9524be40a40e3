"""The one check every number goes through: finite and in range, whatever its source.

A number may come from a YAML file, a ``--set`` override, a command-line option or the
Python API. Each file model (line, scenario, lever library, sweep, tune) runs
:func:`numbers_in_range` over everything it is given before its fields are validated, and
the duration parser runs :func:`check_number` on each time it converts. So ``1e309 h``,
``.inf``, ``.nan`` and a 400-digit integer are errors that name their YAML path, never an
``OverflowError`` at run time or a run that never ends.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "MAX_DIGITS",
    "MAX_MAGNITUDE",
    "NUMBER_ERROR",
    "NumbersChecked",
    "check_number",
    "number_problem",
    "numbers_in_range",
]

MAX_MAGNITUDE = 2**63 - 1
"""Largest size of any number in a file [-] (about 9.2e18, what a 64-bit integer holds);
fields set tighter bounds of their own."""
MAX_DIGITS = 40
"""Most characters a number written in YAML may have; longer ones are refused while the
file is read, before Python builds a huge integer from them."""
NUMBER_ERROR = "number_out_of_range"
"""Pydantic error type of :func:`numbers_in_range`; its ``ctx['path']`` is the path of the
number below the model that reported it."""


def _shown(value: int | float) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"a {len(text.lstrip('-'))}-digit number"


_NUMERIC_TEXT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+\s*$")
"""Text YAML 1.1 leaves a string but pydantic reads as a float: ``1e308`` (no dot)."""


def number_problem(value: Any) -> str | None:
    """Return why ``value`` is not an acceptable number, or ``None`` (also for non-numbers)."""
    if isinstance(value, str) and _NUMERIC_TEXT.match(value):
        number = float(value)
        if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
            return (
                f"{value.strip()} is out of range: numbers are at most {MAX_MAGNITUDE:.2g} in size"
            )
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number; give a number"
    if abs(value) > MAX_MAGNITUDE:
        return f"{_shown(value)} is out of range: numbers are at most {MAX_MAGNITUDE:.2g} in size"
    return None


def check_number(value: Any) -> Any:
    """Return ``value`` unchanged, or raise ``ValueError`` if it is a number out of range."""
    problem = number_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _first_problem(data: Any, path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str]:
    """Depth-first: the path and reason of the first number out of range, else ``((), "")``."""
    if isinstance(data, dict):
        for key, value in data.items():
            found = _first_problem(value, (*path, key))
            if found[1]:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found = _first_problem(value, (*path, index))
            if found[1]:
                return found
    else:
        problem = number_problem(data)
        if problem is not None:
            return path, problem
    return (), ""


def numbers_in_range(data: Any) -> Any:
    """Return ``data`` unchanged, or raise a pydantic error for its first number that is
    not finite or larger than :data:`MAX_MAGNITUDE`, with the number's path in the error's
    context (the loader turns it into file:line:col)."""
    path, problem = _first_problem(data, ())
    if problem:
        raise PydanticCustomError(NUMBER_ERROR, "{reason}", {"reason": problem, "path": path})
    return data


class NumbersChecked(BaseModel):
    """Base of the file models: every number below passes :func:`numbers_in_range` before
    the fields are validated (and no float field takes inf or NaN)."""

    model_config = ConfigDict(allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _numbers_in_range(cls, data: Any) -> Any:
        return numbers_in_range(data)
