"""The comparison file: which scenarios to compare, on what window, the claim to test, and
the settings of the lever attribution and of the uncertainty study.

A comparison file (``scenarios/claim_20_20.yaml``)::

    name: claim_20_20
    compare: [baseline.yaml, smart.yaml]     # relative to this file, reference first
    claim: {efficiency: 20, cost: -20}       # claimed changes [%]
    attribution: {horizon: "40 d", warmup: "30 d", replications: 2}
    uncertainty: {horizon: "60 d", warmup: "30 d", replications: 1}

Windows are numbers in the reference line's time unit or duration strings (``"40 d"``).
:func:`read_comparison_file` reports errors located at file:line:col like a line file.
"""

from __future__ import annotations

import math
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.model.precision import PrecisionSpec

__all__ = [
    "AttributionSpec",
    "ClaimSpec",
    "ComparisonFile",
    "UncertaintySpec",
    "is_comparison_file",
    "read_comparison_file",
]

Window = float | str
"""A time: a number in the reference line's time unit, or a string like ``"40 d"``."""


def _check_window(value: Window | None) -> Window | None:
    number = isinstance(value, float | int) and not isinstance(value, bool)
    if number and (not math.isfinite(value) or value < 0):  # type: ignore[arg-type,operator]  # number: int or float
        raise ValueError(f"a time must be a finite number >= 0 (got {value!r})")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaimSpec(_Model):
    """A claimed change, e.g. production efficiency +20 % and operating cost -20 %."""

    efficiency: float = Field(
        default=20.0, ge=-100, le=10_000, description="claimed efficiency change [%]"
    )
    cost: float = Field(default=-20.0, ge=-100, le=10_000, description="claimed cost change [%]")


class AttributionSpec(_Model):
    """Shapley attribution of the change to the levers of the compared scenario.

    Every lever set runs on a window that may be shorter than the comparison's. The window
    is checked against the full comparison: all levers and no lever also run
    ``check_replications`` replications on it, and the full comparison's change must lie
    inside the 95 % CI of the window's (a check of bias, not of one replication's noise).
    """

    kpis: list[str] = Field(
        default_factory=lambda: [
            "throughput",
            "ah_per_year",
            "cost_per_ah",
            "conversion_cost_per_ah",
            "operating_cost_per_ah",
            "ah_per_labour_hour",
        ],
        min_length=1,
        description="KPIs to attribute",
    )
    horizon: Window | None = Field(
        default=None, description="measured window per lever set [time]; default: the scenario's"
    )
    warmup: Window | None = Field(
        default=None, description="warm-up per lever set [time]; default: the scenario's"
    )
    replications: int | None = Field(
        default=None, ge=1, le=1000, description="replications per lever set [-]"
    )
    check_replications: int = Field(
        default=4,
        ge=2,
        le=1000,
        description="replications of all levers and of no lever on the window, for the check "
        "against the full comparison: a 95 % CI of the window's total change; replication 0 "
        "up to `replications` are those of the Shapley values, reused [-]",
    )
    samples: int = Field(
        default=64,
        ge=2,
        le=10_000,
        description="random lever orders of a sampled attribution, half of them the reverses "
        "of the others [-]",
    )
    method: Literal["auto", "exact", "sampled"] = Field(
        default="auto",
        description="exact: every lever set (2^n; sets that differ only in costs, operators or "
        "power share a run); sampled: the sets of `samples` random lever orders, with the "
        "sampling error reported; auto: exact up to 7 levers that change the simulation",
    )

    _windows = field_validator("horizon", "warmup")(_check_window)


class UncertaintySpec(_Model):
    """The uncertainty study (``linesim compare FILE --uncertainty N``): the window and
    replications of each sampled input set, shorter than the comparison's to keep N input
    sets affordable."""

    samples: int = Field(
        default=128, ge=2, le=100_000, description="input sets when --uncertainty has no N [-]"
    )
    horizon: Window | None = Field(
        default=None, description="measured window per input set [time]; default: the file's"
    )
    warmup: Window | None = Field(
        default=None, description="warm-up per input set [time]; default: the file's"
    )
    replications: int = Field(
        default=1, ge=1, le=1000, description="replications per input set and scenario [-]"
    )
    resize: bool = Field(
        default=True,
        description="re-size each input set's plants to the reference line's target: "
        "machine counts and soak space scaled by how much the set's inputs load them "
        "(a plant built for 300 M Ah/yr with 24 h formation has more racks), then, for "
        "a set whose run falls over 3 % short, n x (target / output - 1) more units "
        "(at least one) at the station that most held it up, at most 10 rounds; needs "
        "target: on the line",
    )

    _windows = field_validator("horizon", "warmup")(_check_window)


class ComparisonFile(_Model):
    """``scenarios/claim_20_20.yaml`` and the like."""

    name: str | None = Field(
        default=None, min_length=1, max_length=120, description="default: the file name"
    )
    description: str = Field(default="", description="what the comparison asks")
    compare: list[str] = Field(
        min_length=2, description="scenario files relative to this file, the reference first"
    )
    replications: int | None = Field(
        default=None, ge=1, le=100_000, description="replications of every scenario [-]"
    )
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description="root seed [-]")
    horizon: Window | None = Field(default=None, description="measured window [time]")
    warmup: Window | None = Field(default=None, description="warm-up [time]")
    claim: ClaimSpec | None = Field(default=None, description="the claimed changes to check")
    attribution: AttributionSpec | None = Field(
        default=None, description="settings of --attribution"
    )
    uncertainty: UncertaintySpec | None = Field(
        default=None, description="settings of --uncertainty"
    )
    precision: PrecisionSpec | None = Field(
        default=None,
        description="replications until the headline KPIs are this precise (replaces "
        "replications: unless --replications is given)",
    )

    _windows = field_validator("horizon", "warmup")(_check_window)

    @field_validator("compare")
    @classmethod
    def _paths(cls, value: list[str]) -> list[str]:
        if not all(isinstance(p, str) and p.strip() for p in value):
            raise ValueError("every entry is a scenario file path")
        return value


def is_comparison_file(data: Any) -> bool:
    """Whether raw YAML data is a comparison file (it has ``compare:``)."""
    return isinstance(data, dict) and "compare" in data


def read_comparison_file(path: str | os.PathLike[str]) -> ComparisonFile:
    """Read and check a comparison file; errors name file, YAML path, line and column."""
    from sim.model.loader import _validation_errors, read_yaml

    file = str(path)
    data, marks = read_yaml(file)
    try:
        return ComparisonFile.model_validate(data)
    except ValidationError as exc:
        raise _validation_errors(exc, ComparisonFile, data, file, marks, {}) from None
