"""The scenario file (an experiment on a line) and the resolved scenario the engine runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from sim.model.demand import Demand
from sim.model.distributions import Duration
from sim.model.line import Line
from sim.model.numbers import NumbersChecked
from sim.model.precision import PrecisionSpec
from sim.model.products import ProductMix
from sim.model.units import check_run_time

__all__ = ["Scenario", "ScenarioFile"]


class ScenarioFile(NumbersChecked):
    """What ``scenarios/*.yaml`` holds."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str | None = Field(default=None, min_length=1, description="default: the file name")
    description: str = Field(default="", description="what the experiment asks")
    line: str = Field(min_length=1, description="line YAML, relative to this file")
    warmup: Duration = Field(
        default=0.0, ge=0, description="discarded start [line time unit], at most 1000 y"
    )
    horizon: Duration = Field(
        gt=0, description="measured time after warm-up [line time unit], at most 1000 y"
    )
    replications: int = Field(default=10, ge=1, le=100_000, description="independent runs [-]")
    seed: int = Field(default=1, ge=0, le=2**63 - 1, description="root random seed [-]")
    set: dict[str, Any] = Field(
        default_factory=dict, description="dotted overrides of the line, e.g. release.wip: 8"
    )
    products: ProductMix | None = Field(
        default=None,
        description="a product mix for the line, as the line's products: key "
        "(docs/products.md); set before the levers, so that levers can act on it",
    )
    lever_file: str | None = Field(
        default=None, description="lever library YAML, relative to this file"
    )
    levers: list[str] = Field(
        default_factory=list, description="levers applied to the line, in order"
    )
    demand: Demand | None = Field(
        default=None,
        description="what the plant sells: release then follows the orders (make-to-stock "
        "with a finished-goods target); omitted = release as the line says",
    )
    precision: PrecisionSpec | None = Field(
        default=None,
        description="replications until the headline KPIs are this precise (replaces "
        "replications: unless --replications is given)",
    )

    @field_validator("horizon", "warmup")
    @classmethod
    def _run_length(cls, value: float, info: ValidationInfo) -> float:
        return check_run_time(value, (info.context or {}).get("time_unit", "h"))

    @field_validator("horizon")
    @classmethod
    def _after_the_warmup(cls, value: float, info: ValidationInfo) -> float:
        """The window's end must lie after the warm-up in floating point, or SimPy cannot
        schedule it: a horizon below about 1e-16 of the warm-up vanishes next to it."""
        warmup = info.data.get("warmup", 0.0)
        if warmup > 0 and (warmup + value) - warmup < 0.5 * value:
            raise ValueError(
                f"{value:g} is too small next to the warm-up {warmup:g} to be told apart "
                f"from it in floating point; give a horizon of at least {warmup * 1e-12:.3g} "
                "(in the line's time unit)"
            )
        return value


@dataclass(frozen=True)
class Scenario:
    """A scenario resolved and ready to run: the validated line and the run settings.

    Parameters
    ----------
    name
        Scenario name (results folder, reports).
    line
        The validated line with every override applied.
    horizon, warmup
        Measured time and discarded start [line time unit].
    replications
        Independent replications [-].
    seed
        Root seed; replication r of station s uses stream (seed, r, s, purpose).
    source
        The scenario file, or ``None`` when built in code.
    overrides
        Every dotted override applied, scenario file first, then command line.
    levers
        The levers applied (after the line file, before the overrides).
    """

    name: str
    line: Line
    horizon: float
    warmup: float = 0.0
    replications: int = 10
    seed: int = 1
    source: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    levers: tuple[str, ...] = ()
    lever_info: dict[str, dict[str, str]] = field(default_factory=dict)
    """Description and source of each lever applied."""
    precision: PrecisionSpec | None = None
    """Precision-driven replications (``replications`` is then what they ended with)."""
