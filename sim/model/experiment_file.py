"""What sweep and tune files share: the scenario they run and the run settings they override.

Run settings are kept as written (``"60 d"`` or a bare number in the line's time unit) and
converted when the scenario is loaded, since only the line knows its time unit; here they
are checked for form and range already, so a typo fails before any simulation.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from sim.model.numbers import NumbersChecked
from sim.model.units import check_run_time, parse_duration

__all__ = ["RUN_KEYS", "ExperimentModel", "RunTime", "at"]

RUN_KEYS = ("replications", "horizon", "warmup", "seed")
"""Scenario settings an experiment file may override."""
LOCATED_ERROR = "located_value_error"
"""Pydantic error type of :func:`at`: ``ctx['path']`` is below the model that raised it."""


def at(message: str, *path: str | int) -> PydanticCustomError:
    """Return a validation error for the value at ``path`` below the model raising it."""
    return PydanticCustomError(LOCATED_ERROR, "{reason}", {"reason": message, "path": path})


def _run_time(value: str | float) -> str | float:
    """Check a duration's form and range (in hours: only the unit of a bare number is
    unknown here, and the range check allows for the longest unit)."""
    try:
        hours = parse_duration(value, "h")
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    if hours < 0:
        raise ValueError(f"a time must be >= 0 (got {value!r})")
    if isinstance(value, str):  # a bare number's unit is the line's: checked on loading
        check_run_time(hours, "h")
    return value


RunTime = Annotated[str | float, AfterValidator(_run_time)]
"""A time as written: a number in the line's time unit or a string such as ``"60 d"``."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ExperimentModel(_Strict, NumbersChecked):
    """The keys every experiment file has: the scenario and the run settings it overrides."""

    scenario: str = Field(
        min_length=1, description="scenario YAML that is run, relative to this file"
    )
    name: str | None = Field(default=None, min_length=1, description="default: the file name")
    description: str = Field(default="", description="what the experiment asks")
    replications: int | None = Field(
        default=None, ge=1, le=100_000, description="replications per run [-]; default: scenario's"
    )
    horizon: RunTime | None = Field(
        default=None,
        description="measured time [line time unit, or e.g. '60 d']; default: scenario's",
    )
    warmup: RunTime | None = Field(
        default=None,
        description="discarded start [line time unit, or e.g. '30 d']; default: scenario's",
    )
    seed: int | None = Field(
        default=None, ge=0, le=2**63 - 1, description="root random seed [-]; default: scenario's"
    )

    @property
    def run(self) -> dict[str, Any]:
        """The run settings given (``replications``, ``horizon``, ``warmup``, ``seed``)."""
        return {key: getattr(self, key) for key in RUN_KEYS if getattr(self, key) is not None}
