"""Cost, energy and labour inputs: plant-wide rates and per-machine capital and power.

Amounts are in the line's ``currency``; power in kW; energy in kWh; labour in hours.

One overhead rule, so nothing is counted twice: the line books indirect staff, energy
(machines and base load) and maintenance explicitly, which are what BatPaC's variable
overhead (40 % of direct labour + 20 % of depreciation) stands for; so the overhead shares
default to 0 and only a line that does not book those items should set them. Plant-wide
investments that belong to no station (an AGV fleet, sensors, an automated aging store,
MES servers) are ``investments``: equipment depreciated over its own life with upkeep,
and a yearly running cost (software licences, IT staff, service contracts) booked as
operating overhead.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.model.regions import Region, region_defaults

__all__ = ["Building", "Investment", "LineCosts", "Overhead", "Power", "StationMaintenance"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Power(_Model):
    """Electric draw of one machine by state [kW]; a delay draws ``busy`` all the time.

    Setup and minor stops draw ``idle``; blocked and off-shift draw ``idle``; planned
    maintenance draws ``down``.
    """

    busy: float = Field(default=0.0, ge=0, le=1e6, description="while processing [kW]")
    idle: float = Field(default=0.0, ge=0, le=1e6, description="while waiting [kW]")
    down: float = Field(default=0.0, ge=0, le=1e6, description="under repair [kW]")


class StationMaintenance(_Model):
    """Maintenance cost of a station's machines."""

    share: float | None = Field(
        default=None, ge=0, le=1, description="of capex per year [-]; default the line's"
    )
    per_repair: float = Field(default=0.0, ge=0, description="cost of one repair [currency]")


class Building(_Model):
    """The plant building and its infrastructure (dry rooms, utilities)."""

    capex: float = Field(default=0.0, ge=0, description="investment [currency]")
    years: float = Field(default=20.0, gt=0, le=100, description="depreciation period [a]")


class Overhead(_Model):
    """Variable overhead as shares of direct labour and of depreciation (BatPaC rule).

    BatPaC's shares (labour 0.4, depreciation 0.2) stand for indirect labour, utilities and
    maintenance; a line that books those explicitly (``indirect_staff``, ``energy_price``
    with ``base_load``, ``maintenance_share``) keeps the default 0, or it counts them twice.
    """

    labour: float = Field(
        default=0.0,
        ge=0,
        le=10,
        description="share of direct labour [-]; 0 when indirect staff and energy are booked",
    )
    depreciation: float = Field(
        default=0.0,
        ge=0,
        le=10,
        description="share of depreciation [-]; 0 when maintenance is booked",
    )


class Investment(_Model):
    """Plant equipment that belongs to no station, with its upkeep and running cost.

    Depreciated straight line over ``years``; maintenance a share of ``capex`` a year;
    ``running`` is operating cost a year (licences, IT staff, service contracts).
    """

    description: str = Field(default="", description="what it is, sources")
    capex: float = Field(default=0.0, ge=0, description="investment [currency]")
    years: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="depreciation period [a]; default the line's depreciation_years",
    )
    maintenance_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="upkeep per year, share of capex [-]; default the line's",
    )
    running: float = Field(
        default=0.0, ge=0, description="operating cost a year: licences, IT, services [currency]"
    )


class LineCosts(_Model):
    """Plant-wide cost rates."""

    currency: str = Field(default="EUR", min_length=1, max_length=8)
    region: Region | None = Field(
        default=None,
        description="where the plant is: china-east, eu or us; gives wage and indirect_wage "
        "(and their ranges to an uncertainty study) where the line leaves them out "
        "(sources in docs/sources.md)",
    )
    energy_price: float = Field(default=0.0, ge=0, description="[currency / kWh]")
    base_load: float = Field(
        default=0.0, ge=0, le=1e7, description="dry rooms, HVAC, utilities, always on [kW]"
    )
    wage: float = Field(default=0.0, ge=0, description="direct labour [currency / h]")
    indirect_staff: float = Field(
        default=0.0, ge=0, le=1e6, description="engineers, quality, logistics... [people]"
    )
    indirect_wage: float = Field(default=0.0, ge=0, description="[currency / h]")
    hours_per_person: float = Field(
        default=2000.0, gt=0, le=8784, description="paid hours of one person a year [h]"
    )
    depreciation_years: float = Field(
        default=6.0, gt=0, le=100, description="equipment depreciation period [a]"
    )
    maintenance_share: float = Field(
        default=0.03, ge=0, le=1, description="maintenance cost per year, share of capex [-]"
    )
    building: Building = Field(default_factory=Building)
    overhead: Overhead = Field(default_factory=Overhead)
    investments: dict[str, Investment] = Field(
        default_factory=dict,
        description="plant equipment of no station (AGVs, sensors, stores, MES) by name",
    )
    load: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="plant load: the share of the nameplate (target.ah_per_year, else the "
        "output) that is sold [-]; below 1 the plant makes only what it sells and its "
        "fixed costs spread over the sold Ah (the *_sold_* KPIs)",
    )

    @model_validator(mode="before")
    @classmethod
    def _region_wages(cls, data: Any) -> Any:
        return region_defaults(data) if isinstance(data, dict) else data
