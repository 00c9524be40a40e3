"""Ramp-up: learning curves of a new line's yield, MTBF and speed over its first months.

A curve runs on plant time t, from the start of production (t = 0, the start of the run),
towards the station's own mature value (``y_end``, the station's fields as written):

- exponential: ``y(t) = y_end - (y_end - y_start) * exp(-t / tau)``;
- a table of months: month m (t in [m, m + 1) months) has the table's m-th value, and
  from the end of the table on the mature value.

What each curve scales, evaluated where the engine draws it:

- ``yield``: the station's yield 1 - scrap [-]; ``start`` (or the table) gives the yield
  itself, so scrap(t) = 1 - y(t), drawn for each lot at its finish.
- ``mtbf``: a share of the station's mature MTBF [-]; each time to failure is drawn from
  the station's distribution and scaled by mtbf(t) / mtbf at the moment it is drawn (its
  cv stays), so repairs (MTTR) do not ramp.
- ``speed``: a share of the station's mature speed [-], 1 / process time: each run's
  process time drawn at its start is divided by speed(t) / speed.

A month is 1/12 of a 365-day year (30.42 d), :data:`sim.model.units.SECONDS_PER_MONTH`.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.model.distributions import Duration
from sim.model.station import Name

__all__ = ["QUANTITIES", "Curve", "RampUp", "StationRamp"]

QUANTITIES = ("yield", "mtbf", "speed")
"""What a curve can scale."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class Curve(_Model):
    """One learning curve: an exponential approach from ``start`` to the mature value over
    ``tau``, or a table of months."""

    start: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="value at the start of production: yield [-], or for mtbf and speed "
        "the share of the station's mature value [-]",
    )
    tau: Duration | None = Field(
        default=None,
        gt=0,
        description="time constant, e.g. '4 months' (a month = 365/12 d): 63 % of the "
        "gap to the mature value is closed after tau, 95 % after 3 tau [time unit]",
    )
    table: list[float] | None = Field(
        default=None,
        min_length=1,
        max_length=1200,
        description="instead of start and tau: the value of each month from the start of "
        "production, same meaning as start [-]; after the table the mature value",
    )
    source: str = Field(
        min_length=1,
        description="where the curve comes from (tag E for an estimate)",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Curve:
        exponential = self.start is not None or self.tau is not None
        if exponential and self.table is not None:
            raise ValueError("give either start and tau, or a table of months, not both")
        if not exponential and self.table is None:
            raise ValueError("give start and tau (an exponential curve) or a table of months")
        if exponential and (self.start is None or self.tau is None):
            raise ValueError("an exponential curve needs both start and tau")
        for month, value in enumerate(self.table or []):
            if not 0 <= value <= 1:
                raise ValueError(
                    f"table[{month}] = {value:g}: a yield or a share of the mature value "
                    "lies in [0, 1]"
                )
        return self

    def value(self, t: float, mature: float, month: float) -> float:
        """The curve's value at plant time ``t`` [time unit] towards ``mature``; ``month``
        is one month [time unit]."""
        if self.table is not None:
            return self._month(int(t // month) if t >= 0 else 0, mature)
        assert self.start is not None and self.tau is not None
        return mature - (mature - self.start) * math.exp(-max(t, 0.0) / self.tau)

    def _month(self, index: int, mature: float) -> float:
        """The table's value of month ``index``, the mature value after it."""
        assert self.table is not None
        return self.table[index] if index < len(self.table) else mature

    def mean(self, low: float, high: float, mature: float, month: float) -> float:
        """The curve's mean over plant time [``low``, ``high``] [time unit], from its
        integral (for the expected monthly yield and rate)."""
        if high <= low:
            return self.value(low, mature, month)
        if self.table is not None:
            total = 0.0
            for index in range(int(low // month), math.ceil(high / month)):
                part = min(high, (index + 1) * month) - max(low, index * month)
                if part > 0:
                    total += part * self._month(index, mature)
            return total / (high - low)
        assert self.start is not None and self.tau is not None
        tau = self.tau
        gap = mature - self.start
        decay = tau * (math.exp(-low / tau) - math.exp(-high / tau))
        return mature - gap * decay / (high - low)


class StationRamp(_Model):
    """The learning curves of one station, or with ``station`` omitted of every machine
    station that has the field (mtbf and speed only)."""

    station: Name | None = Field(
        default=None,
        description="the station the curves act on; omitted: every machine station "
        "(mtbf: those with failures); a yield curve names its station",
    )
    yield_: Curve | None = Field(
        default=None,
        alias="yield",
        description="the station's yield 1 - scrap [-], towards 1 - scrap as written",
    )
    mtbf: Curve | None = Field(
        default=None, description="share of the station's failures.mtbf [-], towards 1"
    )
    speed: Curve | None = Field(
        default=None,
        description="share of the station's speed (1 / process time) [-], towards 1",
    )

    @model_validator(mode="after")
    def _something(self) -> StationRamp:
        if self.yield_ is None and self.mtbf is None and self.speed is None:
            raise ValueError("give at least one curve: yield, mtbf or speed")
        if self.station is None and self.yield_ is not None:
            raise ValueError(
                "a yield curve names its station: the losses of a line's ramp-up are found "
                "at given stations (e.g. formation, grading); add station: <name>"
            )
        return self

    @model_validator(mode="after")
    def _shares_above_zero(self) -> StationRamp:
        for quantity, curve in (("mtbf", self.mtbf), ("speed", self.speed)):
            values = curve.table or [] if curve is not None else []
            if curve is not None and curve.start is not None:
                values = [curve.start]
            if any(value <= 0 for value in values):
                raise ValueError(
                    f"a {quantity} curve's values are shares of the mature {quantity} and "
                    "must be above 0 (0 would stop the station for good)"
                )
        return self

    def curves(self) -> dict[str, Curve]:
        """The curves given, by quantity (yield, mtbf, speed)."""
        given = {"yield": self.yield_, "mtbf": self.mtbf, "speed": self.speed}
        return {name: curve for name, curve in given.items() if curve is not None}


class RampUp(_Model):
    """A new line's first months: learning curves from the start of production (t = 0)."""

    description: str = Field(default="", description="what the ramp-up is, sources")
    curves: list[StationRamp] = Field(
        min_length=1, max_length=10_000, description="learning curves, per station or line-wide"
    )

    def for_station(self, name: str, failures: bool) -> dict[str, Curve]:
        """The curves that act on station ``name`` by quantity: its own, else the
        line-wide ones (an mtbf curve only where the station has ``failures``)."""
        found: dict[str, Curve] = {}
        for ramp in self.curves:
            if ramp.station is None:
                for quantity, curve in ramp.curves().items():
                    if quantity != "mtbf" or failures:
                        found.setdefault(quantity, curve)
        for ramp in self.curves:
            if ramp.station == name:
                found.update(ramp.curves())
        return found
