"""A station: identical parallel machines, what a cycle takes and gives, and what stops it.

Two forms share this schema. In a serial line a station takes one job from its input
``buffer`` and passes it on. In a general line (one with ``materials``) it names the
material quantities a cycle takes (``inputs``) and gives (``output``); work moves in lots
of ``lot`` cycles, which is the unit the simulation spends events on.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)

from sim.model.costs import Power, StationMaintenance
from sim.model.distributions import Constant, Distribution, Duration, Exponential, Gamma
from sim.model.grades import Grades, Rework
from sim.model.names import Name
from sim.model.units import _ALIASES, SECONDS_PER

__all__ = [
    "MAX_MACHINES",
    "Batch",
    "Defects",
    "Failures",
    "Maintenance",
    "MinorStops",
    "Name",
    "Setup",
    "Station",
]

MAX_MACHINES = 100_000
"""Upper bound on identical machines in one station [-]; more is a typing error."""

_RATE = re.compile(r"^\s*([0-9.eE+-]+)\s*(?:([A-Za-z%]*)\s*/\s*([A-Za-z]+)|(ppm))\s*$")


def _rate(value: Any, info: ValidationInfo) -> Any:
    """Read a speed such as ``"40 m/min"`` or ``"8 ppm"`` as cycles per line time unit."""
    if not isinstance(value, str):
        return value
    match = _RATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a speed; write e.g. '40 m/min', '8 /min' or '8 ppm'")
    per = "min" if match.group(4) else _ALIASES.get(match.group(3).lower(), "")
    if per not in SECONDS_PER:
        raise ValueError(
            f"{value!r}: the time unit after '/' must be s, min, h or d (or a spelling such "
            "as sec, mins, hr, hours)"
        )
    try:
        number = float(match.group(1))
    except ValueError:
        raise ValueError(f"{value!r}: {match.group(1)!r} is not a number") from None
    time_unit = (info.context or {}).get("time_unit", "h")
    return number * SECONDS_PER[time_unit] / SECONDS_PER[per]


Rate = Annotated[float, BeforeValidator(_rate)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def _time_distribution(mean: float, cv: float) -> Distribution:
    """Return the distribution of failure or repair times with this mean and cv."""
    if cv == 0:
        return Constant(value=mean)
    if cv == 1:
        return Exponential(dist="exponential", mean=mean)
    return Gamma(dist="gamma", mean=mean, cv=cv)


class Failures(_Model):
    """Breakdowns: a cycle in process when the machine fails resumes after repair."""

    mtbf: Duration = Field(gt=0, description="mean time between failures [time unit]")
    mttr: Duration = Field(gt=0, description="mean time to repair [time unit]")
    basis: Literal["operating", "calendar"] = Field(
        default="operating",
        description="operating: the failure clock runs only while processing; "
        "calendar: it runs all the time",
    )
    ttf_cv: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="cv of time to failure [-]: 1 exponential, 0 constant, else gamma",
    )
    ttr_cv: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="cv of time to repair [-]: 1 exponential, 0 constant, else gamma",
    )

    @property
    def availability(self) -> float:
        """Long-run share of time up, MTBF / (MTBF + MTTR) [-]."""
        return self.mtbf / (self.mtbf + self.mttr)

    def time_to_failure(self) -> Distribution:
        """Return the distribution of up times [time unit]."""
        return _time_distribution(self.mtbf, self.ttf_cv)

    def time_to_repair(self) -> Distribution:
        """Return the distribution of repair times [time unit]."""
        return _time_distribution(self.mttr, self.ttr_cv)


class MinorStops(_Model):
    """Short frequent stops (jams, sensor trips): a performance loss, not an availability loss.

    Up and stop times are exponential on the operating-time clock.
    """

    mtbf: Duration = Field(gt=0, description="mean operating time between stops [time unit]")
    duration: Duration = Field(gt=0, description="mean stop duration [time unit]")


class Maintenance(_Model):
    """Planned maintenance windows: planned downtime, outside OEE's planned time.

    A window falls due every ``every``; the machine starts it at its next cycle start.
    """

    every: Duration = Field(gt=0, description="time between windows [time unit]")
    duration: Duration = Field(gt=0, description="window length [time unit]")


class Batch(_Model):
    """Process several cycles together (ovens, mixers, formation racks)."""

    size: int = Field(ge=1, le=10_000_000, description="most cycles in one batch [-]")
    min: int | None = Field(
        default=None, ge=1, description="fewest cycles a batch starts with [-]; default size"
    )

    @model_validator(mode="after")
    def _min_le_size(self) -> Batch:
        if self.min is not None and self.min > self.size:
            raise ValueError(f"min ({self.min}) must not exceed size ({self.size})")
        return self

    @property
    def minimum(self) -> int:
        """Fewest cycles a batch starts with [-]."""
        return self.size if self.min is None else self.min


class Setup(_Model):
    """Changeovers: every ``every`` cycles (coil change) or every ``interval`` (daily cleaning)."""

    every: int | None = Field(default=None, ge=1, description="cycles between setups [-]")
    interval: Duration | None = Field(
        default=None, gt=0, description="time between setups [time unit]"
    )
    time: Distribution = Field(description="setup duration [time unit]")

    @model_validator(mode="after")
    def _one_trigger(self) -> Setup:
        if (self.every is None) == (self.interval is None):
            raise ValueError("give exactly one of every (cycles) and interval (time)")
        return self


class Defects(_Model):
    """Defects made here and found only at a later inspection station."""

    rate: float = Field(ge=0, lt=1, description="share of output made defective [-]")
    found_at: Name = Field(description="the inspection station that finds them")


Quantities = dict[Name, Annotated[float, Field(gt=0)]]


class Station(_Model):
    """A work centre of identical parallel machines (or, with ``kind: delay``, a long soak)."""

    name: Name = Field(description="unique name, used in dotted overrides")
    kind: Literal["machine", "delay"] = Field(
        default="machine",
        description="machine: machines process cycles; delay: every lot waits process_time "
        "in parallel (wetting, aging), up to capacity units inside",
    )
    machines: int = Field(default=1, ge=1, le=MAX_MACHINES, description="parallel machines [-]")
    process_time: Distribution | None = Field(
        default=None, description="time per cycle, or per batch [time unit]"
    )
    speed: Rate | None = Field(
        default=None,
        gt=0,
        description="roll-to-roll: cycles per time, e.g. '40 m/min' for 1 m cycles "
        "[cycles / time unit]; instead of process_time",
    )
    buffer: int | None = Field(
        default=None,
        ge=0,
        le=1_000_000_000,
        description="serial lines: input buffer capacity, jobs waiting (not in process) [-]; "
        "omitted = unlimited",
    )
    inputs: Quantities | None = Field(
        default=None, description="general lines: material taken per cycle [material unit]"
    )
    output: Quantities | None = Field(
        default=None,
        description="general lines: the one material given per cycle [material unit]",
    )
    lot: int = Field(
        default=1,
        ge=1,
        le=10_000_000,
        description="cycles per lot, the unit of transport and of simulation [-]",
    )
    split: int = Field(
        default=1,
        ge=1,
        le=10_000,
        description="output lots each lot (or batch) is cut into [-] (slitting)",
    )
    capacity: float | None = Field(
        default=None, gt=0, description="delay: most units inside at once [material unit]"
    )
    failures: Failures | None = Field(default=None, description="breakdowns and repairs")
    minor_stops: MinorStops | None = Field(default=None, description="short frequent stops")
    maintenance: Maintenance | None = Field(default=None, description="planned windows")
    scrap: float = Field(
        default=0.0, ge=0, le=1, description="share of output scrapped and found here [-]"
    )
    defects: Defects | None = Field(default=None, description="defects found downstream")
    grades: Grades | None = Field(
        default=None, description="sort the good units into grades by measured capacity"
    )
    rework: Rework | None = Field(
        default=None, description="send failed units back to be reworked instead of scrapped"
    )
    batch: Batch | None = Field(default=None, description="process several cycles at once")
    setup: Setup | None = Field(default=None, description="changeovers")
    shifts: list[Name] | None = Field(
        default=None, description="shifts the station runs in (default: all the time)"
    )
    finish_cycle: bool = Field(
        default=False,
        description="with shifts: a cycle started in a shift runs to its end unattended "
        "(formation, aging, ovens); false: processing and setups pause at the shift end "
        "and resume at the next shift",
    )
    operators: float = Field(
        default=0.0,
        ge=0,
        le=10_000,
        description="operators on duty per shift at the station, for all its machines "
        "together: not per machine, so more machines (--set, linesim size) keep this "
        "number [-]",
    )
    capex: float = Field(default=0.0, ge=0, description="investment per machine [currency]")
    power: Power = Field(default_factory=Power, description="draw per machine by state [kW]")
    maintenance_cost: StationMaintenance = Field(
        default_factory=StationMaintenance, description="maintenance cost of the machines"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Station:
        if (self.process_time is None) == (self.speed is None):
            raise ValueError("give exactly one of process_time and speed")
        if self.speed is not None and self.batch is not None:
            raise ValueError("a batch station takes process_time per batch, not a speed")
        if self.output is not None and len(self.output) != 1:
            raise ValueError("output names exactly one material: {material: quantity}")
        if self.kind == "delay":
            extra = [
                k
                for k in (
                    "failures",
                    "minor_stops",
                    "maintenance",
                    "batch",
                    "setup",
                    "defects",
                    "shifts",
                    "grades",
                    "rework",
                )
                if getattr(self, k) is not None
            ]
            if extra:
                raise ValueError(f"a delay has no {', '.join(extra)}")
        return self

    @property
    def general(self) -> bool:
        """Whether the station names materials (general line form)."""
        return self.output is not None

    @property
    def cycle_time(self) -> Distribution:
        """Time per cycle (or per batch) [time unit]."""
        if self.process_time is not None:
            return self.process_time
        return Constant(value=1.0 / self.speed)  # type: ignore[operator]  # speed when no process_time

    @property
    def batch_max(self) -> int:
        """Most cycles in one run of a machine [-]."""
        return self.batch.size if self.batch is not None else self.lot

    @property
    def batch_min(self) -> int:
        """Fewest cycles a run of a machine starts with [-]."""
        return self.batch.minimum if self.batch is not None else self.lot

    @property
    def ideal_time_per_cycle(self) -> float:
        """Mean processing time per cycle, OEE's ideal [time unit]."""
        if self.batch is not None:
            return self.cycle_time.mean / self.batch.size
        return self.cycle_time.mean

    @property
    def output_material(self) -> str | None:
        """The material this station gives, general form."""
        return next(iter(self.output)) if self.output else None

    @property
    def capacity_rate(self) -> float:
        """Long-run most cycles per time unit, counting failures, stops and setups
        [cycles / time unit] (a static estimate; idle and blocking are not counted)."""
        if self.kind == "delay":
            if self.capacity is None or not self.inputs:
                return float("inf")
            per_cycle = next(iter(self.inputs.values()))
            return self.capacity / per_cycle / self.cycle_time.mean
        time_per_cycle = self.ideal_time_per_cycle
        if self.minor_stops is not None:
            time_per_cycle *= 1 + self.minor_stops.duration / self.minor_stops.mtbf
        if self.failures is not None and self.failures.basis == "operating":
            time_per_cycle *= 1 + self.failures.mttr / self.failures.mtbf
        if self.setup is not None and self.setup.every is not None:
            time_per_cycle += self.setup.time.mean / self.setup.every
        rate = self.machines / time_per_cycle
        if self.failures is not None and self.failures.basis == "calendar":
            rate *= self.failures.availability
        if self.setup is not None and self.setup.interval is not None:
            rate *= max(0.0, 1 - self.setup.time.mean / self.setup.interval)
        if self.maintenance is not None:
            rate *= max(0.0, 1 - self.maintenance.duration / self.maintenance.every)
        return rate
