"""KPIs of one replication and their summary over replications.

Definitions (all over the measured window of length H [time unit]):

Every line is measured in its general form (a serial line's materials are its jobs, see
:mod:`sim.model.serial`), so a serial line and its general twin give the same KPIs.

- ``throughput``: good finished units out per time unit [1/time unit] (modules, or else
  cells, or else the first finished material: a serial line's jobs).
- ``flow_time``: mean time from release (or the first process step, for raw material
  drawn without limit) to exit of good finished units [time unit].
- ``wip``, ``released``, ``scrapped``: of a line that draws one raw material (every serial
  line), the time-average units of it in the line, and the units released and scrapped,
  in that material's unit (a serial line's jobs); ``wip.<material>``: time-average units
  waiting in each buffer or soaking in a delay [material unit].
- ``yield``: first-pass (rolled throughput) yield, the product of every station's quality
  [-]; ``cell_yield`` the same over the steps that handle pieces up to the finished cell
  (good cells per cell started).
- ``cells_per_year``, ``modules_per_year``, ``ah_per_year``: good output annualised over
  ``working_days_per_year`` x 24 h; cells of every grade, at the nominal Ah (grades sold
  at a grading station before the cell's maker included), see :mod:`sim.analysis.grades`.
- Station states: share of machine time in each state [-]; ``utilization`` = busy share.
- OEE = availability x performance x quality. Planned time = machine time less off-shift
  and planned maintenance; availability = (planned - down - setup) / planned; performance
  = ideal time per cycle (mean cycle time, or batch time / batch size) x cycles / run time;
  quality = good output / (good output + scrapped here) [-].
"""

from __future__ import annotations

import math
from typing import Any

from sim.analysis.costs import cost_kpis
from sim.analysis.demand import demand_kpis
from sim.analysis.grades import grade_kpis, rework_kpis, sold_cells
from sim.analysis.products import product_kpis
from sim.analysis.statistics import Estimate, estimate
from sim.engine import STATES, ReplicationResult, StationResult
from sim.model.line import Line
from sim.model.serial import as_general

__all__ = [
    "ACTIVE_STATES",
    "LINE_KPIS",
    "STATION_KPIS",
    "bottleneck",
    "line_kpis",
    "station_kpis",
    "summarize",
]

LINE_KPIS = ("throughput", "flow_time", "wip", "yield", "good", "released", "scrapped")
STATION_KPIS = (
    *STATES,
    "utilization",
    "availability",
    "performance",
    "quality",
    "oee",
    "throughput",
    "queue",
    "fill",
)
ACTIVE_STATES = ("busy", "down", "setup", "minor_stop")
"""States in which a station holds up the line rather than waits on it."""


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def _producers(line: Line, material: str) -> list[str]:
    return [s.name for s in line.stations if s.output_material == material]


def line_kpis(result: ReplicationResult, line: Line | None = None) -> dict[str, float]:
    """Return the line KPIs of one replication (NaN where undefined, e.g. no good output).

    Without ``line`` the first finished material is the main one and no cost is counted.
    """
    horizon = result.horizon
    if line is not None:
        line = as_general(line)
    product = line.product if line is not None else None
    finished = result.finished
    main = (
        product.module
        if product and product.module in finished
        else product.cell
        if product and product.cell in finished
        else next(iter(finished), None)
    )
    good = finished[main]["units"] if main else 0.0
    kpis = {
        "throughput": good / horizon,
        "flow_time": _ratio(finished[main]["flow_sum"], good) if main else math.nan,
        "good": good,
        "escaped_defects": _ratio(
            sum(f["escaped"] for f in finished.values()), sum(f["units"] for f in finished.values())
        ),
        "lost_work": sum(s.lost_work for s in result.stations.values()) / horizon,
    }
    if result.released_material:
        kpis["wip"] = result.wip_area / horizon
        kpis["released"] = float(result.released)
        kpis["scrapped"] = float(result.scrapped)
    rty = 1.0
    for station in result.stations.values():
        processed = station.units_out + station.scrapped
        if processed > 0:
            rty *= station.units_out / processed
    kpis["yield"] = rty
    kpis.update(demand_kpis(result, line))
    if line is None:
        return kpis
    year = line.time_per_year
    if product is not None:
        kpis["cell_yield"] = _cell_yield(result, line)
        cells = sum(result.stations[name].units_out for name in _producers(line, product.cell))
        cells += sold_cells(result, line)  # graded cells sold before the cell's maker
        kpis["cells_per_year"] = cells / horizon * year
        kpis["ah_per_year"] = kpis["cells_per_year"] * product.ah_per_cell
        if product.module is not None:
            modules = sum(
                result.stations[name].units_out for name in _producers(line, product.module)
            )
            kpis["modules_per_year"] = modules / horizon * year
    for material, area in result.material_area.items():
        kpis[f"wip.{material}"] = area / horizon
    if result.products is not None:  # by type; ah_per_year from each type's Ah per cell
        kpis.update(product_kpis(result, line))
    kpis.update(grade_kpis(result, line))
    kpis.update(rework_kpis(result, line))
    kpis.update(cost_kpis(result, line, kpis))
    return kpis


def _cell_yield(result: ReplicationResult, line: Line) -> float:
    """First-pass yield of the steps that handle pieces up to the finished cell (jelly
    rolls, cells): good cells per cell started, the yield a cell plant quotes [-].

    The product runs over the stations in line order, never in set order: a float product
    depends on its order, and a set's order on the hash seed of the process.
    """
    assert line.product is not None and line.materials is not None
    makers = {s.output_material: s for s in line.stations}
    wanted: set[str] = set()
    frontier = [line.product.cell]
    while frontier:
        material = frontier.pop()
        maker = makers.get(material)
        if maker is None or maker.name in wanted:
            continue
        if line.materials[material].unit != line.materials[line.product.cell].unit:
            continue
        wanted.add(maker.name)
        frontier.extend(maker.inputs or {})
    cell_yield = 1.0
    for spec in line.stations:
        if spec.name not in wanted:
            continue
        station = result.stations[spec.name]
        processed = station.units_out + station.scrapped
        if processed > 0:
            cell_yield *= station.units_out / processed
    return cell_yield


def station_kpis(station: StationResult, horizon: float) -> dict[str, float]:
    """Return state shares, utilisation, OEE and throughput of one station in one replication."""
    processed = station.units_out + station.scrapped
    quality = _ratio(station.units_out, processed)
    throughput = station.units_out / horizon
    queue = station.content_area / horizon
    if station.kind == "delay" or station.machines == 0:
        values = dict.fromkeys(STATION_KPIS, math.nan)
        values.update(
            quality=quality,
            throughput=throughput,
            queue=queue,
            fill=queue / station.capacity if math.isfinite(station.capacity) else math.nan,
        )
        return values
    total = station.machines * horizon
    time = station.state_time
    shares = {state: time[state] / total for state in STATES}
    planned = total - time["off_shift"] - time["maintenance"]
    run_time = planned - time["down"] - time["setup"]
    availability = _ratio(run_time, planned)
    performance = _ratio(station.ideal_time_per_cycle * station.cycles, run_time)
    return {
        **shares,
        "utilization": shares["busy"],
        "availability": availability,
        "performance": performance,
        "quality": quality,
        "oee": availability * performance * quality,
        "throughput": throughput,
        "queue": queue,
        "fill": math.nan,
    }


def bottleneck(stations: dict[str, dict[str, Estimate]]) -> dict[str, Any] | None:
    """Return the station that least waits on others: the machine station with the largest
    active share (busy, down, setup, minor stops), by the utilisation method, or a delay
    whose time-average fill of its capacity is larger still (a full soak blocks its feeder).
    """
    best: tuple[float, str] | None = None
    for name, values in stations.items():
        if values["busy"]["mean"] is None:
            fill_estimate: dict[str, Any] = dict(values.get("fill") or {})
            fill = fill_estimate.get("mean")
            if fill is None:
                continue
            active = fill
        else:
            active = sum(values[state]["mean"] or 0.0 for state in ACTIVE_STATES)
        if best is None or active > best[0]:
            best = (active, name)
    if best is None:
        return None
    return {
        "station": best[1],
        "active_share": best[0],
        "method": "largest share of time busy, down, in setup or minor stops (machines) "
        "or of capacity filled (delays)",
    }


def summarize(results: list[ReplicationResult], line: Line | None = None) -> dict[str, Any]:
    """Return ``{"kpis": {kpi: Estimate}, "stations": {...}, "bottleneck": {...}}``."""
    per_rep = [line_kpis(result, line) for result in results]
    names = list(per_rep[0]) if per_rep else list(LINE_KPIS)
    kpis: dict[str, Estimate] = {
        name: estimate([values.get(name, math.nan) for values in per_rep]) for name in names
    }
    stations: dict[str, dict[str, Estimate]] = {}
    if results:
        for name in results[0].stations:
            rows = [station_kpis(result.stations[name], result.horizon) for result in results]
            stations[name] = {kpi: estimate([row[kpi] for row in rows]) for kpi in STATION_KPIS}
    return {"kpis": kpis, "stations": stations, "bottleneck": bottleneck(stations)}
