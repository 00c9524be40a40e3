"""Annual cost, energy and labour of one replication, and the cost KPIs per Ah.

Everything is annualised from the measured window: a flow over the window (energy,
materials, repairs, staffed hours) is scaled by working hours a year / window; fixed
amounts (depreciation, indirect staff, building) are annual already. Categories:

- ``cost.materials``: raw materials drawn, at their price (scrapped material included);
- ``cost.energy``: machine power by state x time in state (off shift at idle power,
  except in the shifts a demand drops: off, none), delays, plant base load;
- ``cost.direct_labour``: operators per shift x staffed hours x wage (under a demand
  that drops shifts, the worked shifts' hours only, :mod:`sim.model.shift_plan`);
- ``cost.indirect_labour``: indirect staff x paid hours x wage;
- ``cost.maintenance``: share of capex a year + cost per repair, plant investments
  included (their own share, or the line's);
- ``cost.depreciation``: straight line, machines over ``depreciation_years``, building
  and plant investments over their own years;
- ``cost.overhead``: operating overhead: the running cost of plant investments (MES and
  IT licences, service contracts) plus the BatPaC variable-overhead shares of direct
  labour and depreciation, which are 0 unless a line sets them (see
  :mod:`sim.model.costs` for why).

So a plant investment X with life L and upkeep share m, and nothing else, changes the
annual cost by exactly X / L + m X.

``scrap_cost`` (informational, already inside the categories) is the material content of
everything scrapped plus the conversion cost of the machine time spent on it.
``rework_cost`` (lines with rework) is units reworked x their rework cost, booked in
``cost.direct_labour`` (a rework bench is manual work). ``cost_per_module_ah`` (lines with
grades) is the total cost over the Ah of the grades that go on to modules: what the Ah in
a module cost when the other grades are sold as cells (their value is ``output_value``,
not subtracted here).

Three readings of cost per Ah of good cells, the three a "-20 % operating cost" claim can
mean:

- ``cost_per_ah`` (total): every category above over the Ah made;
- ``conversion_cost_per_ah``: the same without materials (labour, energy, maintenance,
  depreciation, overhead);
- ``operating_cost_per_ah`` (opex): what running the plant costs, without depreciation and
  without the materials of good cells: labour, energy, maintenance, the running cost of
  investments (licences, service) and overhead on labour, plus the material content of
  everything scrapped (``scrap_materials``), which a plant loses by operating.

Plant load (``costs.load``, the sold share of the nameplate ``target.ah_per_year``, else of
the output): a plant below full load makes only what it sells, so the variable costs
(materials, machine and store energy, scrapped materials) shrink with the sold share of
what it can make while the fixed ones (labour, base load, maintenance, depreciation,
overhead) stay; ``sold_ah_per_year`` = min(output, load x nameplate) and the ``*_sold_*``
KPIs are each cost over the sold Ah. At load 1 everything made is sold and they equal the
made-Ah KPIs. Extra capacity that is not sold earns nothing.

With a demand (:mod:`sim.analysis.demand`) the load is not assumed but simulated: the line
made only what the orders released, its machines idled (drawing idle power, staffed and
paid) the rest of the time, so every category is already the cost of that output and
``sold_ah_per_year`` is the Ah sold in the run: the sold material delivered to orders plus
the cells of lower grades sold off where they are graded (both at nominal Ah); the
``*_sold_*`` KPIs are each cost over it, with nothing scaled (``costs.load`` is refused
with a demand).
"""

from __future__ import annotations

import math
from functools import cache

from sim.analysis.products import raw_used
from sim.engine import ReplicationResult
from sim.model.calendar import ShiftCalendar
from sim.model.line import Line
from sim.model.shift_plan import shift_plan, worked_calendars
from sim.model.station import Station
from sim.model.units import SECONDS_PER

__all__ = ["COST_CATEGORIES", "cost_kpis"]

COST_CATEGORIES = (
    "materials",
    "energy",
    "direct_labour",
    "indirect_labour",
    "maintenance",
    "depreciation",
    "overhead",
)
"""The ``cost.<category>`` KPIs [currency / year]."""

_POWER_STATE = {
    "busy": "busy",
    "idle": "idle",
    "blocked": "idle",
    "down": "down",
    "setup": "idle",
    "minor_stop": "idle",
    "maintenance": "down",
    "off_shift": "idle",
}
"""Which power figure each machine state draws."""


def _staffed_share(calendars: dict[str, ShiftCalendar], station: Station) -> float:
    """Share of the time a station is staffed [-] (1 without shifts)."""
    calendar = calendars.get(station.name)
    return 1.0 if calendar is None else calendar.on_per_period / calendar.period


def _material_values(line: Line) -> dict[str, float]:
    """Material content of one unit of each material [currency / unit], by recipe."""
    makers = {s.output_material: s for s in line.stations if s.output_material}
    materials = line.materials or {}

    @cache
    def value(name: str) -> float:
        maker = makers.get(name)
        if maker is None:
            return materials[name].price if name in materials else 0.0
        out = (maker.output or {})[name]
        return sum(q / out * value(m) for m, q in (maker.inputs or {}).items())

    return {name: value(name) for name in materials}


def cost_kpis(result: ReplicationResult, line: Line, kpis: dict[str, float]) -> dict[str, float]:
    """Return the cost, energy and labour KPIs of one replication.

    ``kpis`` are the replication's line KPIs (for ``ah_per_year``). Empty without
    ``costs`` in the line.
    """
    costs = line.costs
    if costs is None:
        return {}
    horizon = result.horizon
    hours_unit = SECONDS_PER[line.time_unit] / 3600.0  # hours per time unit
    scale = line.time_per_year / horizon  # window -> year
    window_hours = horizon * hours_unit
    materials = line.materials or {}
    calendars = worked_calendars(line)
    dropped = shift_plan(line) is not None

    energy = costs.base_load * window_hours  # kWh in the window
    raw_cost = 0.0
    direct_hours = 0.0
    repairs_cost = 0.0
    capex = costs.building.capex
    maintenance_fixed = 0.0
    busy_hours = 0.0
    depreciation = costs.building.capex / costs.building.years
    running = 0.0
    for investment in costs.investments.values():
        capex += investment.capex
        years = investment.years or costs.depreciation_years
        depreciation += investment.capex / years
        share = investment.maintenance_share
        maintenance_fixed += investment.capex * (
            costs.maintenance_share if share is None else share
        )
        running += investment.running
    for station in line.stations:
        observed = result.stations[station.name]
        if station.kind == "delay":
            energy += station.power.busy * window_hours
        else:
            for state, time in observed.state_time.items():
                if state == "off_shift" and dropped:
                    continue  # a dropped shift: the machine is switched off
                energy += getattr(station.power, _POWER_STATE[state]) * time * hours_unit
            busy_hours += observed.state_time.get("busy", 0.0) * hours_unit
        invest = station.capex * station.machines
        capex += invest
        depreciation += invest / costs.depreciation_years
        share = station.maintenance_cost.share
        maintenance_fixed += invest * (costs.maintenance_share if share is None else share)
        repairs_cost += observed.repairs * station.maintenance_cost.per_repair
        direct_hours += station.operators * _staffed_share(calendars, station) * window_hours
        for material, quantity in (station.inputs or {}).items():
            if material in materials and not any(
                s.output_material == material for s in line.stations
            ):
                used = raw_used(result, line, station.name, material, quantity)
                raw_cost += used * materials[material].price

    indirect_hours = costs.indirect_staff * costs.hours_per_person
    direct_labour = direct_hours * scale * costs.wage
    rework_cost = _rework_cost(result, line) * scale
    if rework_cost:
        direct_labour += rework_cost  # a rework bench is manual work
    annual = {
        "materials": raw_cost * scale,
        "energy": energy * scale * costs.energy_price,
        "direct_labour": direct_labour,
        "indirect_labour": indirect_hours * costs.indirect_wage,
        "maintenance": maintenance_fixed + repairs_cost * scale,
        "depreciation": depreciation,
        "overhead": (
            running
            + costs.overhead.labour * direct_labour
            + costs.overhead.depreciation * depreciation
        ),
    }
    total = sum(annual.values())
    conversion = total - annual["materials"]
    out = {f"cost.{name}": value for name, value in annual.items()}
    ah = kpis.get("ah_per_year", math.nan)
    labour_hours = direct_hours * scale + indirect_hours
    energy_year = energy * scale
    values = _material_values(line)
    lost_material = sum(
        result.stations[s.name].scrapped * values.get(s.output_material or "", 0)
        for s in line.stations
    )
    rate = conversion / (busy_hours * scale) if busy_hours > 0 else 0.0
    scrap_materials = lost_material * scale
    base_energy = costs.base_load * window_hours * scale * costs.energy_price
    operating = (
        annual["energy"]
        + annual["direct_labour"]
        + annual["indirect_labour"]
        + annual["maintenance"]
        + running
        + costs.overhead.labour * direct_labour
        + scrap_materials
    )
    lost_work_hours = sum(s.lost_work for s in result.stations.values()) * hours_unit
    voltage = line.product.voltage if line.product is not None else math.nan
    out.update(
        {
            "cost_total": total,
            "cost_per_ah": total / ah if ah > 0 else math.nan,
            "conversion_cost_per_ah": conversion / ah if ah > 0 else math.nan,
            "operating_cost_per_ah": operating / ah if ah > 0 else math.nan,
            "operating_cost": operating,
            "scrap_materials": scrap_materials,
            **_at_load(
                line,
                ah,
                annual,
                base_energy,
                scrap_materials,
                operating,
                labour_hours,
                kpis.get("sold_ah_per_year") if result.demand is not None else None,
            ),
            "energy_kwh": energy_year,
            "energy_kwh_per_kwh": energy_year / (ah * voltage / 1000) if ah > 0 else math.nan,
            "labour_hours": labour_hours,
            "labour_hours_per_mah": labour_hours / (ah / 1e6) if ah > 0 else math.nan,
            "ah_per_labour_hour": ah / labour_hours if labour_hours > 0 else math.nan,
            "capex": capex,
            "scrap_cost": (lost_material + lost_work_hours * rate) * scale,
        }
    )
    if any(s.rework is not None for s in line.stations):
        out["rework_cost"] = rework_cost
    module_ah = kpis.get("module_ah_per_year")
    if module_ah is not None:
        out["cost_per_module_ah"] = total / module_ah if module_ah > 0 else math.nan
    return out


def _rework_cost(result: ReplicationResult, line: Line) -> float:
    """Cost of the units reworked in the window [currency]."""
    return sum(
        result.stations[s.name].rework["reworked"] * s.rework.cost
        for s in line.stations
        if s.rework is not None
    )


def _at_load(
    line: Line,
    ah: float,
    annual: dict[str, float],
    base_energy: float,
    scrap_materials: float,
    operating: float,
    labour_hours: float,
    simulated: float | None = None,
) -> dict[str, float]:
    """The sold-Ah KPIs at the line's plant load, or at the Ah a demand took from the run
    (``simulated`` [Ah / year]), see the module docstring."""
    costs = line.costs
    assert costs is not None
    if simulated is not None:  # the run made only what the orders released: none scaled
        if not simulated > 0:
            return dict.fromkeys(SOLD_KPIS, math.nan)
        sold, share = simulated, 1.0
    else:
        if not ah > 0:
            return dict.fromkeys(SOLD_KPIS, math.nan)
        nameplate = line.target.ah_per_year if line.target and line.target.ah_per_year else ah
        sold = ah if costs.load >= 1 else min(ah, costs.load * nameplate)
        share = sold / ah  # of what the plant can make, what it makes and sells
    machine_energy = annual["energy"] - base_energy
    total = sum(annual.values())
    variable = annual["materials"] + machine_energy
    conversion_variable = machine_energy
    operating_variable = machine_energy + scrap_materials
    return {
        "sold_ah_per_year": sold,
        "cost_per_sold_ah": (total - variable * (1 - share)) / sold,
        "conversion_cost_per_sold_ah": (
            total - annual["materials"] - conversion_variable * (1 - share)
        )
        / sold,
        "operating_cost_per_sold_ah": (operating - operating_variable * (1 - share)) / sold,
        "sold_ah_per_labour_hour": sold / labour_hours if labour_hours > 0 else math.nan,
    }


SOLD_KPIS = (
    "sold_ah_per_year",
    "cost_per_sold_ah",
    "conversion_cost_per_sold_ah",
    "operating_cost_per_sold_ah",
    "sold_ah_per_labour_hour",
)
"""The KPIs at the plant load (``costs.load``)."""
