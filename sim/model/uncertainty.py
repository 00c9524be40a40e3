"""Ranges of uncertain inputs: estimated (tag E) line inputs and lever effect sizes.

A line may list ``uncertain: {dotted.path: {low, high}}`` for the inputs that are
estimates; a lever may carry ``effect: {low, high}``, the size of its effect as a multiple
of the changes it lists (1 = as written, 0 = no effect). An uncertainty study samples
inside these ranges; an ordinary run uses the values as written.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.errors import ConfigError

__all__ = ["Range", "uncertain_errors", "value_at"]


class Range(BaseModel):
    """A range for one uncertain number: uniform on [low, high], or triangular with a mode.

    ``low``, ``high`` and ``mode`` are numbers in the unit of the input they range over, or
    duration strings (``"16 h"``) for time inputs, read in the line's time unit.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    low: float | str = Field(description="smallest value [the input's unit]")
    high: float | str = Field(description="largest value [the input's unit]")
    mode: float | str | None = Field(
        default=None, description="most likely value [the input's unit]; omitted = uniform"
    )
    source: str = Field(default="", description="why this range (S/S2/E and where from)")

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        numbers = [v for v in (self.low, self.mode, self.high) if isinstance(v, float | int)]
        if len(numbers) == (3 if self.mode is not None else 2) and numbers != sorted(numbers):
            raise ValueError("a range needs low <= mode <= high")
        return self


def value_at(data: Any, dotted: str) -> Any:
    """Return the value a dotted path names in raw line data, as overrides read it
    (stations and other named list items by name, list items also by index).

    Raises ``KeyError`` with the part of the path that names nothing.
    """
    node = data
    parts = dotted.split(".")
    for depth, key in enumerate(parts):
        where = ".".join(parts[: depth + 1])
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list):
            found = [i for i in node if isinstance(i, dict) and str(i.get("name")) == key]
            if found:
                node = found[0]
            elif key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise KeyError(where)
        else:
            raise KeyError(where)
    return node


def uncertain_errors(data: dict[str, Any], file: str, marks: dict[Any, Any]) -> list[ConfigError]:
    """Errors of a line's ``uncertain:`` paths: each must name a number (or a duration
    string) in the line, located at the path's key in ``file``."""
    given = data.get("uncertain")
    if not isinstance(given, dict):
        return []
    errors = []
    for dotted in given:
        problem = None
        try:
            value = value_at(data, str(dotted))
        except KeyError as missing:
            problem = (
                f"{missing.args[0]} names nothing in the line, so {dotted} cannot vary; "
                "write the dotted path of a number, stations by name "
                "(e.g. stations.formation.process_time.mean)"
            )
        else:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                problem = (
                    f"{dotted} is {'a mapping' if isinstance(value, dict) else repr(value)}, "
                    "not a number; name the number inside it (e.g. ...process_time.mean)"
                )
        if problem:
            line, column = marks.get(("uncertain", str(dotted)), (None, None))
            errors.append(
                ConfigError(
                    problem, file=file, path=f"uncertain.{dotted}", line=line, column=column
                )
            )
    return errors
