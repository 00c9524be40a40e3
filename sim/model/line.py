"""The line: stations, materials and their buffers, release, shifts and the product.

A serial line lists stations in flow order and gives each an input ``buffer``. A general
line declares ``materials`` (each with one buffer in its own unit) and lets each station
name what a cycle takes and gives, which allows split, merge and parallel branches. A
serial line is checked as written and then turned into its general twin, whose materials
are jobs (:mod:`sim.model.serial`), so everything after the loader sees one form.
Times are in the line's ``time_unit`` once loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from sim.model.calendar import ShiftCalendar
from sim.model.costs import LineCosts
from sim.model.demand import Demand
from sim.model.distributions import Distribution, Duration
from sim.model.numbers import NumbersChecked
from sim.model.products import ProductMix
from sim.model.ramp import RampUp
from sim.model.regions import region_ranges
from sim.model.station import (
    MAX_MACHINES,
    Batch,
    Defects,
    Failures,
    Maintenance,
    MinorStops,
    Name,
    Setup,
    Station,
)
from sim.model.uncertainty import Range
from sim.model.units import SECONDS_PER, TimeUnit, canonical_time_unit

__all__ = [
    "MAX_MACHINES",
    "PIECE_UNITS",
    "Batch",
    "Defects",
    "Failures",
    "Line",
    "Maintenance",
    "Material",
    "MinorStops",
    "Product",
    "Release",
    "Setup",
    "Shift",
    "Station",
    "Target",
]


PIECE_UNITS = frozenset({"pcs", "pc", "piece", "pieces", "job", "jobs", "unit", "units"})
"""Units that give a material ``discrete: true`` when the file does not say."""


def _unit_spelling(value: Any) -> Any:
    """Read ``hours``, ``mins`` and the like as h, min (others are refused by the type)."""
    try:
        return canonical_time_unit(value)
    except ValueError:
        return value


def _no_default(schema: dict[str, Any]) -> None:
    """Leave a default derived at validation out of the JSON Schema."""
    schema.pop("default", None)


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


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


class Material(_Model):
    """A material and its one buffer, counted in its own unit (kg, m, pcs)."""

    unit: str = Field(
        default="pcs", min_length=1, max_length=16, description="unit the material is counted in"
    )
    buffer: float | None = Field(
        default=None,
        ge=0,
        description="buffer capacity [material unit]; omitted = unlimited",
    )
    description: str = Field(default="", description="what it is, sources")
    price: float = Field(
        default=0.0, ge=0, description="raw materials: purchase price [currency / unit]"
    )
    discrete: bool = Field(
        default=False,
        description="counted in whole pieces (lots, scrap and WIP plots in pieces) rather "
        "than a continuous amount (kg, m, L); default: true when unit is one of "
        + ", ".join(sorted(PIECE_UNITS))
        + ", else false",
        json_schema_extra=_no_default,
    )

    @model_validator(mode="before")
    @classmethod
    def _discrete_from_unit(cls, data: Any) -> Any:
        """Derive ``discrete`` from the unit once, here, when the file does not give it."""
        if isinstance(data, dict) and "discrete" not in data:
            unit = data.get("unit", "pcs")
            return {**data, "discrete": isinstance(unit, str) and unit in PIECE_UNITS}
        return data


class Product(_Model):
    """What the line sells, for output in capacity units (Ah, cells, modules per year)."""

    cell: Name = Field(description="material whose good units are finished cells")
    ah_per_cell: float = Field(gt=0, description="capacity of one cell [Ah]")
    module: Name | None = Field(default=None, description="material of finished modules")
    voltage: float = Field(default=3.2, gt=0, le=100, description="nominal cell voltage [V]")


class Target(_Model):
    """What the line must make, for the capacity table and the throughput plot's target."""

    ah_per_year: float | None = Field(
        default=None,
        gt=0,
        description="good cells' capacity a year [Ah / year]; needs product",
    )
    throughput: float | None = Field(
        default=None,
        gt=0,
        description="good finished units per time [units / time unit]",
    )

    @model_validator(mode="after")
    def _one_target(self) -> Target:
        if (self.ah_per_year is None) == (self.throughput is None):
            raise ValueError("give exactly one of ah_per_year and throughput")
        return self


class Shift(_Model):
    """A shift of the repeating shift pattern."""

    name: Name = Field(description="shift name, referred to by stations' shifts")
    start: Duration = Field(ge=0, description="start within the pattern [time unit]")
    length: Duration = Field(gt=0, description="duration [time unit]")


class Line(_Model, NumbersChecked):
    """A production line: stations, release, and for a general line materials and product."""

    name: str = Field(min_length=1, description="line name")
    description: str = Field(default="", description="what the line is, sources")
    time_unit: Annotated[TimeUnit, BeforeValidator(_unit_spelling)] = Field(
        default="h",
        description="unit of every bare time number: s, min, h or d (spellings such as "
        "mins, hrs, hours, days are read as these)",
    )
    release: Release = Field(description="how work enters the line")
    materials: dict[Name, Material] | None = Field(
        default=None, description="general lines: every material and its buffer"
    )
    product: Product | None = Field(default=None, description="what the line sells")
    products: ProductMix | None = Field(
        default=None,
        description="several cell types on the line: their changes per station, the "
        "release sequence and the changeover times (docs/products.md)",
    )
    target: Target | None = Field(
        default=None, description="what the line must make (capacity table, plots)"
    )
    shifts: list[Shift] = Field(default_factory=list, description="repeating shift pattern")
    shift_cycle: Duration = Field(
        default="24 h",
        gt=0,
        validate_default=True,
        description="length of the shift pattern [time unit]",
    )
    working_days_per_year: float = Field(
        default=365,
        gt=0,
        le=366,
        description="days a year the plant runs, to annualise output [d]",
    )
    costs: LineCosts | None = Field(default=None, description="cost, energy and labour rates")
    stations: list[Station] = Field(min_length=1, max_length=10_000, description="the stations")
    ramp_up: RampUp | None = Field(
        default=None,
        description="a new line's learning curves of yield, MTBF and speed from the start "
        "of production (see docs/ramp-up.md); omitted: the line runs mature",
    )
    demand: Demand | None = Field(
        default=None,
        description="what the plant sells and how release follows it; usually a scenario's "
        "demand:, which replaces this; omitted = release as the line's release says",
    )
    uncertain: dict[str, Range] = Field(
        default_factory=dict,
        description="estimated inputs (tag E): dotted path -> range, sampled by an "
        "uncertainty study; ordinary runs use the values as written",
    )

    @model_validator(mode="before")
    @classmethod
    def _region_ranges(cls, data: Any) -> Any:
        """Add the ranges of the wages the line leaves to its region (``costs.region``)."""
        if isinstance(data, dict) and isinstance(data.get("costs"), dict):
            given = data.get("uncertain") or {}
            if isinstance(given, dict):
                return {**data, "uncertain": region_ranges(data["costs"], given)}
        return data

    @model_validator(mode="after")
    def _one_form(self) -> Line:
        general = [s.general for s in self.stations]
        if self.materials is None and any(general):
            raise ValueError("stations name inputs/output, so the line needs materials")
        if self.materials is not None and not all(general):
            raise ValueError("a line with materials needs an output on every station")
        if self.target is not None and self.target.ah_per_year is not None and not self.product:
            raise ValueError("target.ah_per_year needs product: {cell, ah_per_cell}")
        return self

    @model_serializer(mode="wrap")
    def _without_absent_demand(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Leave an absent demand out of dumps, so that a line without demand dumps (and
        hashes, in a results folder) as it did before demands existed."""
        dumped = handler(self)
        if isinstance(dumped, dict) and dumped.get("demand", 0) is None:
            del dumped["demand"]
        return dumped

    _written_serial: bool = PrivateAttr(default=False)

    @property
    def general(self) -> bool:
        """Whether this is a general (material) line rather than a serial one."""
        return self.materials is not None

    @property
    def written_serial(self) -> bool:
        """Whether this general line is the twin of a serial line file (its materials are
        the jobs waiting for each station; messages then name the file's keys)."""
        return self._written_serial

    @property
    def time_per_year(self) -> float:
        """Working time a year, working days x 24 h [time unit]."""
        return self.working_days_per_year * 86400.0 / SECONDS_PER[self.time_unit]

    @cached_property
    def calendars(self) -> dict[str, ShiftCalendar]:
        """Shift calendar of each station that names shifts, by station name (built once)."""
        return {
            station.name: ShiftCalendar(
                [(s.start, s.start + s.length) for s in self.shifts if s.name in station.shifts],
                self.shift_cycle,
            )
            for station in self.stations
            if station.shifts is not None
        }

    def staffed_share(self, station: str) -> float:
        """Share of the time station ``station`` is staffed [-] (1 without shifts)."""
        calendar = self.calendars.get(station)
        return 1.0 if calendar is None else calendar.on_per_period / calendar.period

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Copy the line; cached calendars are rebuilt from the copy's own shifts."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("calendars", None)
        return copy

    def flow_order(self) -> list[Station]:
        """Stations in flow order, each after every station that makes what it takes (file
        order where a material loop, refused when loading, leaves no order)."""
        makers: dict[str, int] = {}
        for station in self.stations:
            made = station.output_material or ""
            makers[made] = makers.get(made, 0) + 1
        order: list[Station] = []
        left = list(self.stations)
        while left:
            ready = [s for s in left if all(makers.get(m, 0) == 0 for m in s.inputs or {})]
            if not ready:
                return list(self.stations)
            for station in ready:
                order.append(station)
                makers[station.output_material or ""] -= 1
            placed = {id(s) for s in ready}
            left = [s for s in left if id(s) not in placed]
        return order

    def station(self, name: str) -> Station:
        """Return the station called ``name``."""
        for station in self.stations:
            if station.name == name:
                return station
        raise KeyError(name)
