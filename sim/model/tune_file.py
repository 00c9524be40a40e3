"""The tune file: a search space, objectives, constraints, fidelity stages and a sampler.

::

    scenario: baseline.yaml                  # relative to this file
    space:                                   # dotted paths as in --set
      stations.winding.machines: {int: [3, 6]}
      materials.cell-wetted.buffer: {int: [1000, 4000], step: 500}
      stations.coating.speed: {float: [30, 60], log: false}
      release.policy: {categorical: [push, conwip]}
    objectives: [{minimize: capex}]          # any KPI of the run summary, or a space path
    constraints: ["ah_per_year >= 3.0e8"]
    trials: 200                              # trials in the study (resumed studies count)
    timeout: 1800                            # [s] of this invocation
    sampler: tpe                             # tpe (1 objective) | nsga2 | random
    fidelity:                                # short runs first; pruner: successive_halving
      stages: [{horizon: "40 d", replications: 2}]   # | hyperband | none
    replications: 4                          # full evaluation (overrides the scenario)
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from sim.model.experiment_file import ExperimentModel, RunTime, _Strict, at

__all__ = [
    "CONSTRAINT",
    "Categorical",
    "Fidelity",
    "FloatRange",
    "IntRange",
    "Objective",
    "Stage",
    "TuneFile",
    "TuneParameter",
]

CONSTRAINT = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*(>=|<=)\s*(\S+)\s*$")
"""``KPI >= NUMBER`` or ``KPI <= NUMBER``."""


def _bounds(value: Any, kind: str) -> Any:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        )
    ):
        raise ValueError(f"{kind} needs [lo, hi], two numbers (got {value!r})")
    if kind == "int" and not all(isinstance(v, int) for v in value):
        raise ValueError(f"int bounds must be whole numbers (got {value!r})")
    return value


class _Numeric(_Strict):
    log: bool = Field(default=False, description="sample on a log scale (needs lo > 0)")

    def _check(self, kind: str, low: float, high: float, step: float | None) -> None:
        if low > high:
            raise at(f"empty range: lo {low} > hi {high}", kind)
        if self.log and low <= 0:
            raise at("log needs lo > 0", kind)
        if step is not None:
            if self.log:
                raise at("step and log cannot be combined", "step")
            span = (high - low) / step
            if abs(span - round(span)) > 1e-9:
                raise at(f"hi - lo = {high - low} is not a multiple of step {step}", "step")


class IntRange(_Numeric):
    """``{int: [lo, hi], step: S}``: whole numbers from lo to hi."""

    int_: list[int] = Field(alias="int", description="[lo, hi], whole numbers, both included")
    step: int | None = Field(default=None, ge=1, description="spacing of the values [-]")

    @field_validator("int_", mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        return _bounds(value, "int")

    @model_validator(mode="after")
    def _consistent(self) -> IntRange:
        self._check("int", self.int_[0], self.int_[1], self.step)
        return self


class FloatRange(_Numeric):
    """``{float: [lo, hi], step: S, log: false}``: real numbers from lo to hi."""

    float_: list[float] = Field(alias="float", description="[lo, hi], both included")
    step: float | None = Field(default=None, gt=0, description="spacing of the values")

    @field_validator("float_", mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        return _bounds(value, "float")

    @model_validator(mode="after")
    def _consistent(self) -> FloatRange:
        self._check("float", self.float_[0], self.float_[1], self.step)
        return self


class Categorical(_Strict):
    """``{categorical: [a, b, ...]}``: one of the listed values."""

    categorical: list[bool | int | float | str | None] = Field(
        description="the choices: numbers, text, true/false or null"
    )

    @field_validator("categorical", mode="before")
    @classmethod
    def _choices(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError("categorical needs a non-empty list of choices")
        if not all(a is None or isinstance(a, bool | int | float | str) for a in value):
            raise ValueError("categorical choices must be numbers, text, true/false or null")
        return value


def _parameter_kind(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    kinds = [k for k in ("int", "float", "categorical") if k in value]
    return kinds[0] if len(kinds) == 1 else None


TuneParameter = Annotated[
    Annotated[IntRange, Tag("int")]
    | Annotated[FloatRange, Tag("float")]
    | Annotated[Categorical, Tag("categorical")],
    Discriminator(
        _parameter_kind,
        custom_error_type="tune_parameter",
        custom_error_message="give {int: [lo, hi]}, {float: [lo, hi]} or {categorical: [...]} "
        "(exactly one of int, float, categorical, and optionally step, log)",
    ),
]
"""One dimension of the search space."""


class Objective(_Strict):
    """``{minimize: KPI}`` or ``{maximize: KPI}``."""

    minimize: str | None = Field(default=None, min_length=1, description="KPI to minimise")
    maximize: str | None = Field(default=None, min_length=1, description="KPI to maximise")

    @model_validator(mode="before")
    @classmethod
    def _one(cls, value: Any) -> Any:
        if (
            not isinstance(value, dict)
            or len(value) != 1
            or next(iter(value)) not in ("minimize", "maximize")
            or not isinstance(next(iter(value.values())), str)
        ):
            raise ValueError("each objective is {minimize: KPI} or {maximize: KPI}")
        return value

    @property
    def direction(self) -> str:
        """``minimize`` or ``maximize``."""
        return "minimize" if self.minimize is not None else "maximize"

    @property
    def kpi(self) -> str:
        """The KPI (or searched parameter) optimised."""
        return str(self.minimize if self.minimize is not None else self.maximize)


class Stage(_Strict):
    """A short evaluation before the full one."""

    horizon: RunTime | None = Field(
        default=None, description="measured time [line time unit]; default: a tenth of the full"
    )
    replications: int | None = Field(
        default=None, ge=1, le=100_000, description="replications [-]; default: up to 2"
    )


class Fidelity(_Strict):
    """Short runs first; trials that look poor there are pruned."""

    stages: list[Stage] = Field(
        default_factory=lambda: [Stage()], description="the short evaluations, shortest first"
    )
    pruner: Literal["successive_halving", "hyperband", "none"] = Field(
        default="successive_halving", description="how poor trials are stopped"
    )
    reduction_factor: int = Field(
        default=3, ge=2, le=1000, description="share of trials kept per stage is 1/this [-]"
    )


FidelityGiven = Annotated[
    Annotated[Fidelity, Tag("stages")] | Annotated[Literal[False, "none"], Tag("off")],
    Discriminator(
        lambda value: "stages" if isinstance(value, dict) else "off",
        custom_error_type="fidelity",
        custom_error_message="fidelity: {stages: [{horizon: T, replications: N}], pruner: P} "
        "or false",
    ),
]
"""Fidelity stages, or ``false`` / ``none`` for none."""


class TuneFile(ExperimentModel):
    """A tune file (``scenarios/tune_*.yaml``)."""

    space: dict[str, TuneParameter] = Field(
        min_length=1,
        description="dotted path as in --set -> {int: [lo, hi]}, {float: [lo, hi]} or "
        "{categorical: [...]}, with optional step and log",
    )
    objectives: list[Objective] = Field(
        min_length=1,
        description="[{minimize: KPI}] or several: any KPI of the run summary or a space path",
    )
    constraints: list[str] = Field(
        default_factory=list, description="e.g. ['ah_per_year >= 3.0e8']: KPI >= or <= NUMBER"
    )
    trials: int = Field(
        default=100, ge=0, le=1_000_000, description="trials in the study, resumed ones count"
    )
    timeout: float | None = Field(
        default=None, gt=0, le=1e9, description="wall time of this invocation [s]"
    )
    sampler: Literal["tpe", "nsga2", "random"] | None = Field(
        default=None, description="tpe (one objective) | nsga2 | random; default by objectives"
    )
    sampler_seed: int = Field(default=1, ge=0, le=2**63 - 1, description="sampler seed [-]")
    fidelity: FidelityGiven | None = Field(
        default=None, description="short runs before the full one; false or none: off"
    )
    batch: int | None = Field(
        default=None, ge=1, le=100_000, description="trials evaluated at once [-]"
    )
    storage: str | None = Field(default=None, min_length=1, description="Optuna storage URL")
    study: str | None = Field(default=None, min_length=1, description="study name")

    @field_validator("space", mode="before")
    @classmethod
    def _space(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not value:
            raise ValueError("space must be a non-empty mapping of dotted paths")
        return value

    @field_validator("objectives", mode="before")
    @classmethod
    def _objectives(cls, value: Any) -> Any:
        value = [value] if isinstance(value, dict) else value
        if not isinstance(value, list) or not value:
            raise ValueError(
                "objectives: a list such as [{minimize: capex}, {maximize: throughput}]"
            )
        return value

    @field_validator("constraints", mode="before")
    @classmethod
    def _constraint_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError("constraints: a list such as ['ah_per_year >= 3.0e8']")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TuneFile:
        for index, text in enumerate(self.constraints):
            match = CONSTRAINT.match(text)
            if match is None:
                raise at(
                    f"a constraint is 'KPI >= NUMBER' or 'KPI <= NUMBER' (got {text!r})",
                    "constraints",
                    index,
                )
            try:
                bound = float(match.group(3))
            except ValueError:
                bound = math.nan
            if math.isnan(bound):
                raise at(f"the bound {match.group(3)!r} is not a number", "constraints", index)
            if not math.isfinite(bound):
                raise at(f"the bound {match.group(3)!r} is not finite", "constraints", index)
        if self.sampler == "tpe" and len(self.objectives) > 1:
            raise at("tpe here takes one objective; use nsga2 for several", "sampler")
        return self

    def parsed_constraints(self) -> list[tuple[str, str, float]]:
        """Each constraint as (KPI, operator, bound)."""
        out = []
        for text in self.constraints:
            match = CONSTRAINT.match(text)
            assert match is not None  # checked at validation
            out.append((match.group(1), match.group(2), float(match.group(3))))
        return out

    @property
    def chosen_sampler(self) -> str:
        """The sampler: as given, else tpe for one objective and nsga2 for several."""
        return self.sampler or ("tpe" if len(self.objectives) == 1 else "nsga2")
