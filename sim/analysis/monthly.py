"""KPIs per month of a ramp-up run, and the yield its learning curves predict.

Each month of a replication (:attr:`sim.engine.ReplicationResult.months`) is measured by
the run's own definitions (:func:`sim.analysis.kpis.line_kpis`), so a month's yield is
the first-pass yield of its stations, its cost per Ah the annualised cost of that month
over its annualised Ah. Per month:

- ``output``: good finished units in the month [output unit: cells, modules or jobs];
- ``ah``: good cells' capacity made in the month [Ah] (lines with a ``product``);
- ``yield``: first-pass (rolled throughput) yield over the month [-];
- ``oee``: OEE of the run's bottleneck station (named in the summary) in the month [-];
- ``cost_per_ah``: total cost per Ah of good cells in the month [currency / Ah];
- ``scrap_yield``: the same product of the stations' own scrap only, leaving out the
  hidden defects a later inspection finds (those do not ramp) [-];
- ``yield_curve``: what the curves predict for ``scrap_yield``: the product over the
  stations of each one's mean yield over the month (from the curve's integral; stations
  that do not ramp at 1 - scrap) [-]. It weighs the month's hours equally, the
  simulation its units, so while a station's output climbs (the first months) its
  simulated yield lies a little above the curve's mean.

A month is 1/12 of a 365-day year from the start of the measured window.
"""

from __future__ import annotations

import math
from typing import Any

from sim.analysis.kpis import bottleneck, line_kpis, station_kpis
from sim.analysis.statistics import estimate
from sim.analysis.units import currency, kpi_unit
from sim.engine import STATES, ReplicationResult
from sim.engine.ramp import month_length
from sim.model.line import Line
from sim.model.serial import as_general

__all__ = [
    "MONTHLY_KPIS",
    "curve_yield",
    "month_rows",
    "monthly_summary",
    "monthly_units",
    "scrap_yield",
]

MONTHLY_KPIS = ("output", "ah", "yield", "scrap_yield", "oee", "cost_per_ah")
"""The KPIs of each month, in table order."""


def monthly_units(line: Line) -> dict[str, str]:
    """The unit of each monthly KPI (``-`` for shares)."""
    return {
        "output": kpi_unit("good", line),
        "ah": "Ah",
        "yield": "-",
        "scrap_yield": "-",
        "oee": "-",
        "cost_per_ah": f"{currency(line)} / Ah",
        "yield_curve": "-",
    }


def curve_yield(line: Line, low: float, high: float) -> float:
    """The first-pass yield the learning curves predict over plant time [``low``,
    ``high``] [time unit]: the product of every station's mean yield over it [-]."""
    line = as_general(line)
    month = month_length(line)
    total = 1.0
    for spec in line.stations:
        mature = 1.0 - spec.scrap
        curves = (
            line.ramp_up.for_station(spec.name, spec.failures is not None)
            if line.ramp_up is not None and spec.kind != "delay"
            else {}
        )
        curve = curves.get("yield")
        total *= mature if curve is None else curve.mean(low, high, mature, month)
    return total


def scrap_yield(month: ReplicationResult) -> float:
    """The first-pass yield of the stations' own scrap over ``month`` [-]: the product of
    good / (good + scrapped - defects found) per station, so that defects made elsewhere
    and found here are left out; the quantity the yield curves set."""
    total = 1.0
    for station in month.stations.values():
        processed = station.units_out + station.scrapped - station.found
        if processed > 0:
            total *= station.units_out / processed
    return total


def _month_values(month: ReplicationResult, line: Line, station: str | None) -> dict[str, float]:
    """The monthly KPIs of one month of one replication."""
    kpis = line_kpis(month, line)
    product = line.product
    values = {
        "output": kpis["good"],
        "ah": kpis["ah_per_year"] * month.horizon / line.time_per_year
        if product is not None
        else math.nan,
        "yield": kpis["yield"],
        "scrap_yield": scrap_yield(month),
        "oee": station_kpis(month.stations[station], month.horizon)["oee"]
        if station is not None
        else math.nan,
        "cost_per_ah": kpis.get("cost_per_ah", math.nan),
    }
    return values


def _bottleneck(results: list[ReplicationResult]) -> str | None:
    """The run's bottleneck machine station (by :func:`sim.analysis.kpis.bottleneck`)."""
    if not results:
        return None
    shares: dict[str, dict[str, Any]] = {}
    for name, station in results[0].stations.items():
        if station.kind != "machine":
            continue
        rows = [station_kpis(result.stations[name], result.horizon) for result in results]
        shares[name] = {state: estimate([row[state] for row in rows]) for state in STATES}
    found = bottleneck(shares)
    return None if found is None else str(found["station"])


def month_rows(results: list[ReplicationResult], line: Line) -> list[list[Any]]:
    """Rows of ``monthly.csv``: replication, month (1, 2, ...), start and end [time unit],
    then :data:`MONTHLY_KPIS` and ``yield_curve``."""
    station = _bottleneck(results)
    rows = []
    for result in results:
        for index, month in enumerate(result.months):
            end = month.warmup + month.horizon
            values = _month_values(month, line, station)
            rows.append(
                [
                    result.replication,
                    index + 1,
                    month.warmup,
                    end,
                    *(values[name] for name in MONTHLY_KPIS),
                    curve_yield(line, month.warmup, end),
                ]
            )
    return rows


def monthly_summary(results: list[ReplicationResult], line: Line) -> dict[str, Any] | None:
    """The ``monthly`` block of ``summary.json`` for a ramp-up run (``None`` otherwise):
    the month, units, OEE's station, the target's Ah in a month of working time
    (``target.ah_per_year`` x month / working time a year [Ah]) and per month each KPI's
    estimate over replications."""
    if not results or not results[0].months:
        return None
    station = _bottleneck(results)
    count = min(len(result.months) for result in results)
    months = []
    for index in range(count):
        first = results[0].months[index]
        per_rep = [_month_values(result.months[index], line, station) for result in results]
        end = first.warmup + first.horizon
        months.append(
            {
                "month": index + 1,
                "start": first.warmup,
                "end": end,
                "kpis": {
                    name: estimate([values[name] for values in per_rep]) for name in MONTHLY_KPIS
                },
                "yield_curve": curve_yield(line, first.warmup, end),
            }
        )
    target = line.target.ah_per_year if line.target is not None else None
    return {
        "month": "1/12 of a 365-day year",
        "month_length": month_length(line),
        "time_unit": line.time_unit,
        "units": monthly_units(line),
        "oee_station": station,
        "target_per_month": None
        if target is None
        else target * month_length(line) / line.time_per_year,
        "months": months,
    }
