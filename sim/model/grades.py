"""Grades and rework: what an inspecting station does with the units it checks.

A grading station sorts its good units into grades (A, B, C...) by measured capacity:
either by shares given directly, or by a normal distribution of measured capacity (a share
of nominal) with a lower threshold per grade, in which case units below the lowest
threshold are rejected (scrapped here). Grades that ``goes_on`` pass to the next station
(modules); the others are sold as cells and leave the line at the grading station.

Rework sends a failed unit (scrap or a defect found here) back to an earlier station with
a probability instead of scrapping it, at most ``max_passes`` times through the check.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.model.distributions import Distribution
from sim.model.names import Name

__all__ = ["Grade", "Grades", "MeasuredCapacity", "Rework"]

SHARE_TOLERANCE = 1e-6
"""How far the given grade shares may sum from 1 [-] (rounding in a file)."""


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def _normal_cdf(z: float) -> float:
    """Standard normal distribution function at ``z`` [-]."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


class MeasuredCapacity(_Model):
    """Measured capacity of the units graded, a share of nominal (normal)."""

    dist: Literal["normal"] = Field(default="normal", description="distribution: normal")
    mean: float = Field(gt=0, le=2, description="mean measured capacity [share of nominal]")
    sd: float = Field(gt=0, le=0.5, description="standard deviation [share of nominal]")

    def below(self, threshold: float) -> float:
        """Probability that a unit measures below ``threshold`` [-]."""
        return _normal_cdf((threshold - self.mean) / self.sd)


class Grade(_Model):
    """One grade: how a unit falls into it, what it is worth, where it goes."""

    name: Name = Field(description="grade name, e.g. A")
    share: float | None = Field(
        default=None, ge=0, le=1, description="share of the units graded in this grade [-]"
    )
    min: float | None = Field(
        default=None,
        gt=0,
        le=2,
        description="with measured: lowest measured capacity of the grade [share of "
        "nominal]; the last grade may omit it (it then takes every unit below the others)",
    )
    goes_on: bool = Field(
        default=False,
        description="true: the grade passes to the next station (modules); false: it is "
        "sold as cells and leaves the line here",
    )
    value: float | None = Field(
        default=None, ge=0, description="value of one unit of the grade [currency / unit]"
    )
    value_per_ah: float | None = Field(
        default=None, ge=0, description="value of the grade's capacity [currency / Ah]"
    )

    @model_validator(mode="after")
    def _one_value(self) -> Grade:
        if self.value is not None and self.value_per_ah is not None:
            raise ValueError("give at most one of value (per unit) and value_per_ah")
        return self


class Grades(_Model):
    """Sorting of a station's good units into grades."""

    measured: MeasuredCapacity | None = Field(
        default=None,
        description="distribution of measured capacity; omitted: every grade gives its share",
    )
    bins: list[Grade] = Field(
        min_length=1, max_length=26, description="the grades, best first (A, B, C...)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Grades:
        names = [grade.name for grade in self.bins]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"grade names must be unique; {', '.join(twice)} is used twice")
        if self.measured is None:
            missing = [g.name for g in self.bins if g.share is None]
            if missing:
                raise ValueError(
                    f"grade {missing[0]} has no share; give every grade a share, or give "
                    "measured: {mean, sd} and a min per grade"
                )
            if any(g.min is not None for g in self.bins):
                raise ValueError("min (a capacity threshold) needs measured: {mean, sd}")
            total = math.fsum(g.share or 0.0 for g in self.bins)
            if abs(total - 1.0) > SHARE_TOLERANCE:
                raise ValueError(
                    f"the grade shares sum to {total:.6g}, not 1; every graded unit falls "
                    "into one grade"
                )
            return self
        if any(g.share is not None for g in self.bins):
            raise ValueError(
                "with measured the shares follow from the thresholds; give min, not share"
            )
        mins = [g.min for g in self.bins]
        if any(m is None for m in mins[:-1]):
            name = next(g.name for g in self.bins[:-1] if g.min is None)
            raise ValueError(f"grade {name} needs min (only the last grade may omit it)")
        given = [m for m in mins if m is not None]
        if any(b >= a for a, b in pairwise(given)):
            raise ValueError("min must fall from grade to grade (best grade first)")
        return self

    def shares(self) -> tuple[float, ...]:
        """Probability of each grade, in order, then of a reject below the lowest
        threshold [-] (0 for given shares); they sum to 1."""
        if self.measured is None:
            return (*(g.share or 0.0 for g in self.bins), 0.0)
        shares = []
        upper = 1.0  # P(capacity below the better grade's min); the best grade has no cap
        for grade in self.bins:
            lower = 0.0 if grade.min is None else self.measured.below(grade.min)
            shares.append(max(upper - lower, 0.0))
            upper = lower
        return (*shares, upper)

    def mean_capacity(self) -> tuple[float, ...]:
        """Mean measured capacity of each grade [share of nominal] (1 for given shares;
        for measured, the mean of the normal truncated to the grade's range)."""
        measured = self.measured
        if measured is None:
            return tuple(1.0 for _ in self.bins)
        means = []
        high = math.inf
        for grade in self.bins:
            low = -math.inf if grade.min is None else grade.min
            a, b = (low - measured.mean) / measured.sd, (high - measured.mean) / measured.sd
            mass = _normal_cdf(b) - _normal_cdf(a)
            if mass <= 0:
                means.append(math.nan)
            else:
                density = _pdf(a) - _pdf(b)
                means.append(measured.mean + measured.sd * density / mass)
            high = low
        return tuple(means)

    @property
    def on(self) -> tuple[bool, ...]:
        """Whether each grade goes on to the next station."""
        return tuple(g.goes_on for g in self.bins)


def _pdf(z: float) -> float:
    """Standard normal density at ``z`` (0 at infinity) [-]."""
    if math.isinf(z):
        return 0.0
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


class Rework(_Model):
    """Failed units (scrap, defects found here) sent back instead of scrapped."""

    share: float = Field(
        ge=0, le=1, description="probability a failed unit is sent back to be reworked [-]"
    )
    to: Name = Field(
        description="station the unit returns to: this one or one upstream of it whose "
        "lots pass on whole to here"
    )
    max_passes: int | None = Field(
        default=None,
        ge=2,
        le=1000,
        description="required: most passes through this check a unit gets, the first "
        "included [-]; a "
        "unit that fails its last pass is scrapped",
    )
    time: Distribution | None = Field(
        default=None,
        description="time a lot sent back waits at a rework bench (no machine, no limit) "
        "before it re-enters the queue of `to` [time unit]; omitted: none",
    )
    cost: float = Field(
        default=0.0, ge=0, description="cost of reworking one unit [currency / unit]"
    )

    @model_validator(mode="after")
    def _limited(self) -> Rework:
        if self.max_passes is None:
            raise ValueError(
                "a rework loop needs a limit: give max_passes (passes through the check, "
                "the first included, e.g. 3), after which a failed unit is scrapped"
            )
        return self

    @property
    def passes(self) -> int:
        """Most passes through the check [-]."""
        assert self.max_passes is not None
        return self.max_passes
