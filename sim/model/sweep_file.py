"""The sweep file: a scenario run at every point of a grid or a Latin hypercube.

::

    scenario: penny_fab.yaml          # relative to this file
    parameters:                       # dotted paths as in --set
      release.wip: [1, 2, 4, 8, 16]   # a list, {range: [start, stop, step]} (stop
                                      # included), {linspace: [a, b, n]}, or for lhs
                                      # {interval: [lo, hi]} (whole numbers if both are)
    design: grid                      # grid (every combination) | lhs (samples: N)
    kpis: [throughput, flow_time]     # columns of sweep.csv (default: all line KPIs)
    replications: 10                  # optional: override the scenario's settings

The number of points is checked from the bounds before any list is built, so
``{linspace: [1, 5, 1000000000]}`` is an error, not gigabytes of memory.
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from sim.model.experiment_file import ExperimentModel, _Strict, at

__all__ = ["MAX_POINTS", "Interval", "Linspace", "Range", "SweepFile", "SweepValues"]

MAX_POINTS = 100_000
"""Most points one sweep may have [-]."""

Number = int | float


def _numbers(value: Any, count: int) -> Any:
    if (
        not isinstance(value, list)
        or len(value) != count
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"give a list of {count} numbers (got {value!r})")
    return value


class Range(_Strict):
    """``{range: [start, stop, step]}``: start, start + step, ... up to stop included."""

    range: list[Number] = Field(description="[start, stop, step], step > 0 [parameter unit]")

    @field_validator("range", mode="before")
    @classmethod
    def _three(cls, value: Any) -> Any:
        return _numbers(value, 3)

    @model_validator(mode="after")
    def _bounded(self) -> Range:
        start, stop, step = self.range
        if step <= 0:
            raise at(f"the step must be > 0 (got {step})", "range")
        if start > stop:
            raise at(f"empty range: start {start} > stop {stop}", "range")
        if (stop - start) / step >= MAX_POINTS:  # before a single value is made
            raise at(
                f"the range has over {MAX_POINTS:,} values; raise the step or narrow it", "range"
            )
        return self

    def values(self) -> list[Any]:
        """The values, whole numbers if start, stop and step all are."""
        start, stop, step = self.range
        count = math.floor((stop - start) / step + 1e-9) + 1
        whole = all(isinstance(v, int) for v in (start, stop, step))
        return [start + i * step if whole else round(start + i * step, 12) for i in range(count)]


class Linspace(_Strict):
    """``{linspace: [a, b, n]}``: n evenly spaced values from a to b."""

    linspace: list[Number] = Field(description="[a, b, n], n whole, 1 to 100,000")

    @field_validator("linspace", mode="before")
    @classmethod
    def _three(cls, value: Any) -> Any:
        return _numbers(value, 3)

    @model_validator(mode="after")
    def _bounded(self) -> Linspace:
        low, high, count = self.linspace
        if not float(count).is_integer() or count < 1:
            raise at(f"n must be a whole number >= 1 (got {count})", "linspace")
        if count > MAX_POINTS:  # before numpy allocates n values
            raise at(f"n = {count:g} is over {MAX_POINTS:,} values", "linspace")
        if count == 1 and low != high:
            raise at("n = 1 needs a == b; give n >= 2", "linspace")
        return self

    def values(self) -> list[Any]:
        """The values, whole numbers if a and b are and every value is."""
        import numpy as np

        low, high, count = self.linspace
        values = [float(v) for v in np.linspace(low, high, int(count))]
        if isinstance(low, int) and isinstance(high, int) and all(v.is_integer() for v in values):
            return [int(v) for v in values]
        return values


class Interval(_Strict):
    """``{interval: [lo, hi]}`` (design: lhs only): sampled in strata, whole numbers if
    both bounds are."""

    interval: list[Number] = Field(description="[lo, hi] [parameter unit]")

    @field_validator("interval", mode="before")
    @classmethod
    def _two(cls, value: Any) -> Any:
        return _numbers(value, 2)

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        low, high = self.interval
        if low > high:
            raise at(f"empty interval: lo {low} > hi {high}", "interval")
        return self


def _kind(value: Any) -> str | None:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return str(key) if key in ("range", "linspace", "interval") else None
    return None


SweepValues = Annotated[
    Annotated[list[Any], Tag("list")]
    | Annotated[Range, Tag("range")]
    | Annotated[Linspace, Tag("linspace")]
    | Annotated[Interval, Tag("interval")],
    Discriminator(
        _kind,
        custom_error_type="sweep_values",
        custom_error_message="give a list of values, or one of {range: [start, stop, step]}, "
        "{linspace: [a, b, n]}, {interval: [lo, hi]}",
    ),
]
"""The values of one swept parameter."""


class SweepFile(ExperimentModel):
    """A sweep file (``scenarios/sweep_*.yaml``)."""

    parameters: dict[str, SweepValues] = Field(
        min_length=1,
        description="dotted path as in --set -> its values: a list, {range: [start, stop, "
        "step]}, {linspace: [a, b, n]} or, for design: lhs, {interval: [lo, hi]}",
    )
    design: Literal["grid", "lhs"] = Field(
        default="grid",
        description="grid: every combination; lhs: a Latin hypercube of samples points",
    )
    samples: int | None = Field(
        default=None, ge=1, le=MAX_POINTS, description="design: lhs: points [-]"
    )
    design_seed: int = Field(
        default=1, ge=0, le=2**63 - 1, description="design: lhs: seed of the strata [-]"
    )
    kpis: list[str] | None = Field(
        default=None,
        min_length=1,
        description="KPIs in sweep.csv, e.g. [throughput, flow_time]; default: all line KPIs",
    )

    @field_validator("design", mode="before")
    @classmethod
    def _design(cls, value: Any) -> Any:
        if value not in ("grid", "lhs"):
            raise ValueError(f"design must be grid or lhs (got {value!r})")
        return value

    @field_validator("parameters", mode="before")
    @classmethod
    def _mapping(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not value:
            raise ValueError("parameters must be a non-empty mapping of dotted paths")
        return value

    @model_validator(mode="after")
    def _design_fits(self) -> SweepFile:
        for path, values in self.parameters.items():
            if isinstance(values, list) and not values:
                raise at("the list of values is empty", "parameters", path)
            if isinstance(values, Interval) and self.design != "lhs":
                raise at(
                    "an interval needs design: lhs; a grid needs a list, range or linspace",
                    "parameters",
                    path,
                    "interval",
                )
        if self.design == "grid":
            if self.samples is not None:
                raise at("samples is for design: lhs", "samples")
            count = math.prod(self._count(v) for v in self.parameters.values())
            if count > MAX_POINTS:
                raise at(f"the grid has {count:,} points, over {MAX_POINTS:,}", "parameters")
        elif self.samples is None:
            raise at(f"design: lhs needs samples: N, 1 <= N <= {MAX_POINTS:,}", "samples")
        return self

    @staticmethod
    def _count(values: Any) -> int:
        """Values of one parameter, counted from its bounds [-]."""
        if isinstance(values, list):
            return len(values)
        if isinstance(values, Range):
            start, stop, step = values.range
            return math.floor((stop - start) / step + 1e-9) + 1
        if isinstance(values, Linspace):
            return int(values.linspace[2])
        return 1

    def values(self) -> dict[str, Any]:
        """Each parameter's values: a list, or ``(lo, hi)`` for an lhs interval."""
        out: dict[str, Any] = {}
        for path, given in self.parameters.items():
            if isinstance(given, Interval):
                out[path] = (given.interval[0], given.interval[1])
            else:
                out[path] = given if isinstance(given, list) else given.values()
        return out

    def points(self) -> list[dict[str, Any]]:
        """The parameter values of every point, in order."""
        values = self.values()
        if self.design == "grid":
            return [
                dict(zip(values, combo, strict=True))
                for combo in itertools.product(*values.values())
            ]
        return latin_hypercube(values, int(self.samples or 1), self.design_seed)


def latin_hypercube(values: dict[str, Any], samples: int, seed: int) -> list[dict[str, Any]]:
    """Latin hypercube: each parameter's range cut into ``samples`` strata, one draw each,
    strata paired at random (numpy only, so the points do not change with scipy)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    points: list[dict[str, Any]] = [{} for _ in range(samples)]
    for path, choice in values.items():
        strata = (rng.permutation(samples) + rng.random(samples)) / samples
        for point, u in zip(points, strata, strict=True):
            if isinstance(choice, tuple):
                low, high = choice
                if isinstance(low, int) and isinstance(high, int):
                    point[path] = min(high, low + int(u * (high - low + 1)))
                else:
                    point[path] = low + float(u) * (high - low)
            else:
                point[path] = choice[min(len(choice) - 1, int(u * len(choice)))]
    return points
