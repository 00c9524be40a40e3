"""``precision:``, in a scenario or comparison file: replications chosen by the precision
they buy instead of a fixed count (run by :mod:`sim.experiment.precision`)::

    precision: {half_width: 0.5, kpis: [throughput, cost_per_ah], min_replications: 3,
                max_replications: 20}
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["PrecisionSpec"]


class PrecisionSpec(BaseModel):
    """Precision-driven replications: a run or comparison adds replications, in rounds,
    until the 95 % CI half-width of each headline KPI is within ``half_width``, relative to
    each scenario's mean [%] and for each paired change against the reference [percentage
    points], or until ``max_replications``. The count is the first that meets the target
    (rounds computed past it are dropped), so it does not depend on ``--jobs``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    half_width: float = Field(
        gt=0,
        le=100,
        description="95 % CI half-width to reach, in % of each scenario's mean and in "
        "percentage points of each paired change [%]",
    )
    kpis: list[str] = Field(
        default=["throughput", "cost_per_ah"],
        min_length=1,
        description="the headline KPIs held to the target (those a line has; cost_per_ah "
        "needs costs on the line)",
    )
    min_replications: int = Field(
        default=3, ge=2, le=100_000, description="replications before the first look [-]"
    )
    max_replications: int = Field(
        default=20, ge=2, le=100_000, description="most replications, met or not [-]"
    )

    @field_validator("max_replications")
    @classmethod
    def _at_least_min(cls, value: int, info: Any) -> int:
        low = info.data.get("min_replications", 2)
        if value < low:
            raise ValueError(f"must be >= min_replications ({low})")
        return value
