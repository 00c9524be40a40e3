"""The unit of every KPI, decided once from the line: what its output is counted in, its
time unit and its currency. ``summary.json`` carries it next to each estimate, and the
console, the report and the plots print it from there.

The main output is what :func:`sim.analysis.kpis.line_kpis` counts: modules, else cells,
else the first finished material (a serial line's jobs), in its unit.
"""

from __future__ import annotations

from sim.analysis.costs import COST_CATEGORIES
from sim.analysis.grades import grade_unit
from sim.analysis.kpis import STATION_KPIS
from sim.analysis.products import product_kpi_unit
from sim.engine import STATES
from sim.model.line import Line
from sim.model.serial import as_general, entry_material

__all__ = [
    "COST_CATEGORIES",
    "kpi_unit",
    "line_units",
    "output_unit",
    "station_units",
    "unit_of",
]


def _counted(material: str, unit: str) -> str:
    """How amounts of ``material`` are named: '``material`` pieces' or 'm of ``material``'
    ('jobs' for a material counted in jobs, as a serial line's)."""
    if unit in ("jobs", "job"):
        return "jobs"
    if unit in ("pcs", "pc", "pieces", "piece", ""):
        if material.endswith("ed"):  # a state, not a noun: 'cell-welded'
            return f"pcs of {material}"
        return material if material.endswith("s") else f"{material}s"
    return f"{unit} of {material}"


def output_unit(line: Line) -> str:
    """What the line's main output is counted in: 'jobs', 'modules', 'cells', 'kg of x'."""
    line = as_general(line)
    product = line.product
    finished = [
        m
        for m in (line.materials or {})
        if not any(m in (s.inputs or {}) for s in line.stations)
        and any(s.output_material == m for s in line.stations)
    ]
    main = None
    if product is not None and product.module in finished:
        main = product.module
    elif product is not None and product.cell in finished:
        main = product.cell
    elif finished:
        main = finished[0]
    if main is None:
        return "units"
    material = (line.materials or {})[main]
    return _counted(main, material.unit)


def currency(line: Line) -> str:
    """The line's currency (EUR when the line has no costs)."""
    costs = getattr(line, "costs", None)
    return str(getattr(costs, "currency", "EUR") or "EUR")


def kpi_unit(name: str, line: Line) -> str:
    """The unit of line KPI ``name`` ('-' for shares and ratios)."""
    time = line.time_unit
    output = output_unit(line)
    money = currency(line)
    entry = entry_material(as_general(line))
    entry_spec = (as_general(line).materials or {}).get(entry or "")
    released = _counted(entry or "", entry_spec.unit) if entry_spec is not None else "units"
    fixed = {
        "throughput": f"{output} / {time}",
        "flow_time": time,
        "wip": released,
        "yield": "-",
        "cell_yield": "-",
        "escaped_defects": "-",
        "good": output,
        "released": released,
        "scrapped": released,
        "lost_work": f"machine-{time} / {time}",
        "cells_per_year": "cells / year",
        "modules_per_year": "modules / year",
        "ah_per_year": "Ah / year",
        "cost_total": f"{money} / year",
        "cost_per_ah": f"{money} / Ah",
        "conversion_cost_per_ah": f"{money} / Ah",
        "operating_cost_per_ah": f"{money} / Ah",
        "sold_ah_per_year": "Ah / year",
        "delivered_ah_per_year": "Ah / year",
        "graded_sold_ah_per_year": "Ah / year",
        "cost_per_sold_ah": f"{money} / Ah",
        "conversion_cost_per_sold_ah": f"{money} / Ah",
        "operating_cost_per_sold_ah": f"{money} / Ah",
        "sold_ah_per_labour_hour": "Ah / h",
        "operating_cost": f"{money} / year",
        "scrap_materials": f"{money} / year",
        "energy_kwh": "kWh / year",
        "energy_kwh_per_kwh": "kWh / kWh",
        "labour_hours": "h / year",
        "labour_hours_per_mah": "h / MAh",
        "ah_per_labour_hour": "Ah / h",
        "capex": money,
        "scrap_cost": f"{money} / year",
        "demand_rate": f"{output} / {time}",
        "sold_rate": f"{output} / {time}",
        "fill_rate": "-",
        "on_time_share": "-",
        "backlog": output,
        "finished_stock": output,
        "shifts_worked": "shifts / pattern",
        "worked_share": "-",
    }
    if name in fixed:
        return fixed[name]
    if line.products is not None:
        if name.startswith("product.") and name.endswith(".graded"):
            return _quality_unit(name, line)  # a type's grade: the grading station's output
        general = as_general(line)
        made = general.station(line.products.release_at).output_material or ""
        made_spec = (general.materials or {}).get(made)
        typed = product_kpi_unit(
            name, line, output, _counted(made, made_spec.unit) if made_spec else "units"
        )
        if typed is not None:
            return typed
    graded = grade_unit(name, line, money)
    if graded is not None:
        return _quality_unit(name, line) if graded == "units" else graded
    if name.startswith("cost."):
        return f"{money} / year"
    if name.startswith("wip."):
        material = name[4:]
        found = (line.materials or {}).get(material)
        return _counted(material, found.unit if found is not None else "")
    return "-"


def _quality_unit(name: str, line: Line) -> str:
    """The unit of ``graded.<grade>`` (the grading station's output) or
    ``reworked.<station>`` (that station's output)."""
    general = as_general(line)
    head, _, tail = name.partition(".")
    if head == "reworked":
        stations = [s for s in general.stations if s.name == tail]
    else:
        stations = [s for s in general.stations if s.grades is not None]
    if not stations:
        return "units"
    material = stations[0].output_material or ""
    found = (general.materials or {}).get(material)
    return _counted(material, found.unit if found is not None else "")


def line_units(line: Line, names: list[str]) -> dict[str, str]:
    """Units of the line KPIs ``names``."""
    return {name: kpi_unit(name, line) for name in names}


def station_units(line: Line) -> dict[str, dict[str, str]]:
    """Units of every station KPI of every station: shares and OEE factors '-',
    throughput in the unit of the station's output per time unit (``m / min``), queue in
    what waits before it."""
    line = as_general(line)
    time = line.time_unit
    materials = line.materials or {}
    out: dict[str, dict[str, str]] = {}
    for station in line.stations:
        units = dict.fromkeys(STATION_KPIS, "-")
        made = station.output_material or ""
        found = materials.get(made)
        produced = found.unit if found is not None else "units"  # the row names the station
        inputs = list(station.inputs or {})
        first = materials.get(inputs[0]) if inputs else None
        queued = _counted(inputs[0], first.unit) if inputs and first is not None else "-"
        units["throughput"] = f"{produced} / {time}"
        units["queue"] = queued
        for state in STATES:
            units[state] = "-"
        out[station.name] = units
    return out


def unit_of(name: str, line: Line) -> str:
    """The unit of any KPI a sweep or a tuning study names: a line KPI, or a station's as
    ``stations.<station>.<kpi>`` ('-' for one the line does not have)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "stations":
        return station_units(line).get(parts[1], {}).get(parts[2], "-")
    return kpi_unit(name, line)
