"""A comparison file: which scenarios to compare, on what window, and the claim to test."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AttributionSpec", "ClaimSpec", "ComparisonFile"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaimSpec(_Model):
    """A claimed change, e.g. production efficiency +20 % and operating cost -20 %."""

    efficiency: float = Field(default=20.0, description="claimed efficiency change [%]")
    cost: float = Field(default=-20.0, description="claimed cost change [%]")


class AttributionSpec(_Model):
    """Shapley attribution of the change to the levers of the compared scenario."""

    kpis: list[str] = Field(
        default_factory=lambda: [
            "throughput",
            "ah_per_year",
            "cost_per_ah",
            "conversion_cost_per_ah",
            "ah_per_labour_hour",
        ],
        description="KPIs to attribute",
    )
    horizon: str | float | None = Field(default=None, description="shorter window [time]")
    warmup: str | float | None = Field(default=None, description="warm-up [time]")
    replications: int | None = Field(default=None, ge=2, le=1000)
    samples: int = Field(
        default=64, ge=8, le=10_000, description="random lever orders beyond exact attribution [-]"
    )


class ComparisonFile(_Model):
    """``scenarios/claim_20_20.yaml`` and the like."""

    name: str | None = Field(default=None, min_length=1, description="default: file name")
    description: str = ""
    compare: list[str] = Field(min_length=2, description="scenario files, reference first")
    replications: int | None = Field(default=None, ge=1, le=100_000)
    seed: int | None = Field(default=None, ge=0)
    horizon: str | float | None = None
    warmup: str | float | None = None
    claim: ClaimSpec | None = None
    attribution: AttributionSpec | None = None
