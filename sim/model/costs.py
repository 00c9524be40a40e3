"""Cost, energy and labour inputs: plant-wide rates and per-machine capital and power.

Amounts are in the line's ``currency``; power in kW; energy in kWh; labour in hours.
BatPaC-style overhead: variable overhead as shares of direct labour and of depreciation.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Building", "LineCosts", "Overhead", "Power", "StationMaintenance"]


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
    """Variable overhead as shares of direct labour and of depreciation (BatPaC rule)."""

    labour: float = Field(default=0.4, ge=0, le=10, description="share of direct labour [-]")
    depreciation: float = Field(default=0.2, ge=0, le=10, description="share of depreciation [-]")


class LineCosts(_Model):
    """Plant-wide cost rates."""

    currency: str = Field(default="EUR", min_length=1, max_length=8)
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
