"""KPIs of a product mix: output, yield and flow time by type, changeovers by station.

Definitions (over the measured window of length H [time unit]; ``t`` a type, ``s`` a
station with changeovers):

- ``product.t.good``: good finished units of type t out [main output unit];
  ``product.t.throughput`` the same per time unit; ``product.t.share`` its share of all
  good finished units [-].
- ``product.t.flow_time``: mean time from the first process step to exit of type t's good
  finished units [time unit].
- ``product.t.released``: units of type t the release station started [its output unit].
- ``product.t.yield``: first-pass yield of type t, the product of every station's quality
  for it: the common stations upstream of the release as for the line, each typed station
  as good units of t / (good + scrapped units of t) [-].
- ``product.t.cells_per_year``, ``product.t.ah_per_year``: type t's good cells annualised,
  and times its Ah per cell; the line's ``ah_per_year`` is their sum.
- ``product.t.grade.g.share``, ``.graded``, ``.cells_per_year``, ``.ah_per_year``: type
  t's grades (:mod:`sim.analysis.grades_by_type`).
- ``changeover.s.share``: share of station s's machine time spent changing type [-]
  (part of its ``setup`` state, so of OEE's availability loss); ``changeover.s.hours``
  the same time annualised [machine-h / year]; ``changeover.s.count`` changeovers a year
  [changeovers / year].
- Under a demand: ``product.t.fill_rate``, ``product.t.on_time_share`` and
  ``product.t.backlog`` (:mod:`sim.analysis.demand`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sim.analysis.grades import upstream_of
from sim.analysis.grades_by_type import type_grade_kpis
from sim.engine import ReplicationResult
from sim.model.line import Line
from sim.model.units import SECONDS_PER

__all__ = ["main_finished", "product_kpi_unit", "product_kpis", "raw_used"]


def main_finished(line: Line, finished: Mapping[str, object]) -> str | None:
    """The finished material the line's KPIs count: modules, else cells, else the first."""
    product = line.product
    if product is not None and product.module in finished:
        return product.module
    if product is not None and product.cell in finished:
        return product.cell
    return next(iter(finished), None)


def product_kpis(result: ReplicationResult, line: Line) -> dict[str, float]:
    """Return the KPIs by type and by changeover station of one replication of a line
    with a product mix (``line`` in general form); empty without one."""
    observed = result.products
    mix = line.products
    if observed is None or mix is None:
        return {}
    horizon = result.horizon
    year = line.time_per_year
    main = main_finished(line, observed.finished)
    good = observed.finished.get(main, {}) if main else {}
    flows = observed.flow_sum.get(main, {}) if main else {}
    total_good = math.fsum(good.values())
    common = _common_yield(result, set(observed.stations))
    makers = [
        s.name for s in line.stations if line.product and s.output_material == line.product.cell
    ]
    graders = _graders(line)
    kpis: dict[str, float] = {}
    ah_total = 0.0
    for name in observed.types:
        made = good.get(name, 0.0)
        prefix = f"product.{name}"
        kpis[f"{prefix}.good"] = made
        kpis[f"{prefix}.throughput"] = made / horizon
        kpis[f"{prefix}.share"] = made / total_good if total_good > 0 else math.nan
        kpis[f"{prefix}.flow_time"] = flows.get(name, 0.0) / made if made > 0 else math.nan
        kpis[f"{prefix}.released"] = observed.released[name]
        rty = common
        for station in observed.stations.values():
            processed = station.units_out[name] + station.scrapped[name]
            if processed > 0:
                rty *= station.units_out[name] / processed
        kpis[f"{prefix}.yield"] = rty
        if line.product is not None and makers:
            cells = math.fsum(
                observed.stations[m].units_out[name] for m in makers if m in observed.stations
            )
            cells += math.fsum(  # graded cells sold before the cell's maker, as the line's
                observed.stations[g].units_out[name] - observed.stations[g].passed[name]
                for g in graders
                if g in observed.stations and observed.stations[g].passed
            )
            ah_per_cell = mix.types[name].ah_per_cell or line.product.ah_per_cell
            kpis[f"{prefix}.cells_per_year"] = cells / horizon * year
            kpis[f"{prefix}.ah_per_year"] = cells / horizon * year * ah_per_cell
            ah_total += kpis[f"{prefix}.ah_per_year"]
    if line.product is not None and makers and all(m in observed.stations for m in makers):
        kpis["ah_per_year"] = ah_total
    kpis.update(type_grade_kpis(result, line))
    hours = SECONDS_PER[line.time_unit] / 3600.0
    for name in mix.changeovers:
        station = observed.stations[name]
        machines = result.stations[name].machines
        kpis[f"changeover.{name}.share"] = station.changeover_time / (machines * horizon)
        kpis[f"changeover.{name}.hours"] = station.changeover_time * hours / horizon * year
        kpis[f"changeover.{name}.count"] = station.changeovers / horizon * year
    return kpis


def _graders(line: Line) -> list[str]:
    """Grading stations upstream of the cell's maker, which sell the grades that do not go
    on (counted in the line's cells as :func:`sim.analysis.grades.sold_cells` does)."""
    if line.product is None:
        return []
    upstream = upstream_of(line, line.product.cell)
    return [
        s.name
        for s in line.stations
        if getattr(s, "grades", None) is not None
        and s.name in upstream
        and s.output_material != line.product.cell
    ]


def _common_yield(result: ReplicationResult, typed: set[str]) -> float:
    """First-pass yield of the stations that work every type alike (upstream of the
    release) [-]."""
    rty = 1.0
    for name, station in result.stations.items():
        if name in typed:
            continue
        processed = station.units_out + station.scrapped
        if processed > 0:
            rty *= station.units_out / processed
    return rty


def product_kpi_unit(name: str, line: Line, output: str, released: str) -> str | None:
    """The unit of a mix KPI ``name`` (``None`` for a KPI of another kind); ``output`` is
    the main output's unit and ``released`` the release station's output unit."""
    time = line.time_unit
    parts = name.split(".")
    if len(parts) < 3 or parts[0] not in ("product", "changeover"):
        return None
    kind = parts[-1]
    if parts[0] == "changeover":
        return {"share": "-", "hours": "machine-h / year", "count": "changeovers / year"}.get(
            kind, "-"
        )
    return {
        "good": output,
        "throughput": f"{output} / {time}",
        "share": "-",
        "flow_time": time,
        "released": released,
        "yield": "-",
        "cells_per_year": "cells / year",
        "ah_per_year": "Ah / year",
        "fill_rate": "-",
        "on_time_share": "-",
        "backlog": output,
    }.get(kind, "-")


def raw_used(
    result: ReplicationResult, line: Line, station: str, material: str, quantity: float
) -> float:
    """Units of raw ``material`` station ``station`` used in the window, whose cycles take
    ``quantity`` each unless a type of the mix takes its own [material unit]."""
    observed = result.stations[station]
    mix = line.products
    typed = result.products.stations.get(station) if result.products is not None else None
    if mix is None or typed is None or not typed.cycles:
        return observed.cycles * quantity
    used = 0.0
    for name, cycles in typed.cycles.items():
        changes = mix.types[name].stations.get(station)
        own = (changes.inputs or {}).get(material) if changes is not None else None
        used += cycles * (quantity if own is None else own)
    return used
