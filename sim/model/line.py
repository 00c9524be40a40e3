"""The line: stations in flow order, their buffers, failures, scrap, batches and release.

Times are in the line's ``time_unit`` once loaded; the loader resolves strings such as
``"45 s"`` through the validation context.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sim.model.distributions import Constant, Distribution, Duration, Exponential, Gamma
from sim.model.units import TimeUnit

__all__ = ["MAX_MACHINES", "Batch", "Failures", "Line", "Release", "Setup", "Station"]

MAX_MACHINES = 100_000
"""Upper bound on identical machines in one station [-]; more is a typing error."""

Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$"),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _time_distribution(mean: float, cv: float) -> Distribution:
    """Return the distribution used for failure and repair times of mean and cv."""
    if cv == 0:
        return Constant(value=mean)
    if cv == 1:
        return Exponential(dist="exponential", mean=mean)
    return Gamma(dist="gamma", mean=mean, cv=cv)


class Failures(_Model):
    """Breakdowns: a job in process when the machine fails resumes after repair."""

    mtbf: Duration = Field(gt=0, description="mean time between failures [time unit]")
    mttr: Duration = Field(gt=0, description="mean time to repair [time unit]")
    basis: Literal["operating", "calendar"] = Field(
        default="operating",
        description="operating: the failure clock runs only while processing; "
        "calendar: it runs all the time",
    )
    ttf_cv: float = Field(
        default=1.0, ge=0, le=10,
        description="cv of time to failure [-]: 1 exponential, 0 constant, else gamma",
    )
    ttr_cv: float = Field(
        default=1.0, ge=0, le=10,
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


class Batch(_Model):
    """Process several jobs together (ovens, mixers, formation racks)."""

    size: int = Field(ge=1, le=1_000_000, description="maximum jobs in one batch [-]")
    min: int | None = Field(
        default=None, ge=1, description="fewest jobs a batch starts with [-]; default size"
    )

    @model_validator(mode="after")
    def _min_le_size(self) -> Batch:
        if self.min is not None and self.min > self.size:
            raise ValueError(f"min ({self.min}) must not exceed size ({self.size})")
        return self

    @property
    def minimum(self) -> int:
        """Fewest jobs a batch starts with [-]."""
        return self.size if self.min is None else self.min


class Setup(_Model):
    """A changeover every ``every`` cycles (coil change, cleaning); counts as setup time."""

    every: int = Field(ge=1, description="cycles between setups [-]")
    time: Distribution = Field(description="setup duration [time unit]")


class Release(_Model):
    """How work enters the line."""

    policy: Literal["conwip", "push"] = Field(
        description="conwip: a new job enters when one leaves, keeping wip jobs in the line; "
        "push: jobs arrive by interarrival, or as fast as the first station takes them"
    )
    wip: int | None = Field(
        default=None, ge=1, le=10_000_000, description="CONWIP level, jobs in the line [-]"
    )
    interarrival: Distribution | None = Field(
        default=None,
        description="push: time between arrivals [time unit]; omitted = unlimited raw material",
    )

    @model_validator(mode="after")
    def _policy_fields(self) -> Release:
        if self.policy == "conwip":
            if self.wip is None:
                raise ValueError("a conwip release needs wip: N (jobs kept in the line)")
            if self.interarrival is not None:
                raise ValueError("a conwip release has no interarrival; use policy: push")
        elif self.wip is not None:
            raise ValueError("wip belongs to policy: conwip; a push release has no wip")
        return self


class Station(_Model):
    """A work centre of identical parallel machines fed by one input buffer."""

    name: Name = Field(description="unique name, used in dotted overrides")
    machines: int = Field(default=1, ge=1, le=MAX_MACHINES, description="parallel machines [-]")
    process_time: Distribution = Field(description="time per job, or per batch [time unit]")
    buffer: int | None = Field(
        default=None, ge=0, le=1_000_000_000,
        description="input buffer capacity, jobs waiting (not in process) [-]; omitted = unlimited",
    )
    failures: Failures | None = Field(default=None, description="breakdowns and repairs")
    scrap: float = Field(default=0.0, ge=0, le=1, description="fraction of jobs scrapped here [-]")
    batch: Batch | None = Field(default=None, description="process several jobs at once")
    setup: Setup | None = Field(default=None, description="periodic changeovers")

    @property
    def batch_max(self) -> int:
        """Largest number of jobs in one cycle [-]."""
        return 1 if self.batch is None else self.batch.size

    @property
    def batch_min(self) -> int:
        """Fewest jobs a cycle starts with [-]."""
        return 1 if self.batch is None else self.batch.minimum

    @property
    def capacity(self) -> float:
        """Long-run maximum jobs per time unit, counting failures and setups [1/time unit]."""
        cycle = self.process_time.mean
        if self.setup is not None:
            cycle += self.setup.time.mean / self.setup.every
        rate = self.machines * self.batch_max / cycle
        if self.failures is not None and self.failures.basis == "operating":
            # Operating-time failures stretch each job by its share of repairs.
            rate /= 1 + self.failures.mttr / self.failures.mtbf
        elif self.failures is not None:
            rate *= self.failures.availability
        return rate


class Line(_Model):
    """A serial production line: stations in flow order and a release policy."""

    name: str = Field(min_length=1, description="line name")
    description: str = Field(default="", description="what the line is, sources")
    time_unit: TimeUnit = Field(default="h", description="unit of every bare time number")
    release: Release = Field(description="how work enters the line")
    stations: list[Station] = Field(min_length=1, max_length=10_000, description="in flow order")

    def station(self, name: str) -> Station:
        """Return the station called ``name``."""
        for station in self.stations:
            if station.name == name:
                return station
        raise KeyError(name)
