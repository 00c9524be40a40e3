"""Console tables of a summary (rich): every value with its unit, nothing cut off.

Columns fold long names and values onto a second line instead of cutting them with an
ellipsis, so an 80-column terminal shows everything.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.analysis.grades import shown
from sim.figures import plural, share, share_percent, value_in
from sim.report.numbers import format_number, format_quantity
from sim.report.product_tables import changeover_table, grade_table, product_table

__all__ = ["format_number", "format_quantity", "print_summary"]

_LINE_ROWS = (
    "throughput",
    "ah_per_year",
    "cells_per_year",
    "modules_per_year",
    "flow_time",
    "wip",
    "yield",
    "cell_yield",
    "escaped_defects",
    "cost_per_ah",
    "conversion_cost_per_ah",
    "operating_cost_per_ah",
    "cost_total",
    "capex",
    "energy_kwh_per_kwh",
    "labour_hours_per_mah",
    "ah_per_labour_hour",
)
"""Line KPIs printed, in order (those the run has)."""

_DEMAND_ROWS = (
    "demand_rate",
    "sold_rate",
    "fill_rate",
    "on_time_share",
    "backlog",
    "finished_stock",
    "shifts_worked",
    "worked_share",
    "delivered_ah_per_year",
    "graded_sold_ah_per_year",
    "sold_ah_per_year",
    "cost_per_sold_ah",
)
"""Printed after the line KPIs when the run had a demand (its sold output and service)."""

_OLD_UNITS = {
    "throughput": "good units / {u}",
    "flow_time": "{u}",
    "wip": "jobs",
    "ah_per_year": "Ah / year",
    "cells_per_year": "cells / year",
    "modules_per_year": "modules / year",
}
"""Units for summaries written before KPIs carried their own."""

_STATION_COLUMNS = ("busy", "idle", "blocked", "down", "setup", "oee", "fill")


def _unit(name: str, estimate: dict[str, Any], time_unit: str) -> str:
    unit = estimate.get("unit")
    if unit is None:
        unit = _OLD_UNITS.get(name, "-").format(u=time_unit)
    return str(unit)


def _interval(estimate: dict[str, Any], unit: str) -> str:
    ci = estimate.get("ci95")
    if not ci or None in ci:
        return "-"
    return f"[{value_in(ci[0], unit)}, {value_in(ci[1], unit)}]"


def print_summary(summary: dict[str, Any], console: Console | None = None) -> None:
    """Print the line KPIs with 95% CIs and units, costs when the line has them, and a
    table of station states, OEE, delay fill and output with its unit."""
    console = console or Console()
    unit = summary["time_unit"]
    partial = " (partial: interrupted)" if summary.get("partial") else ""
    title = (
        f"{summary['scenario']}: {plural(summary['replications'], 'replication')} of "
        f"{format_quantity(summary['horizon'], unit)} after "
        f"{format_quantity(summary['warmup'], unit)} warm-up{partial}"
    )
    console.print(title, highlight=False, soft_wrap=True)  # a line of its own: never squeezed
    table = Table()
    table.add_column("KPI", overflow="fold")
    table.add_column("mean", justify="right", overflow="fold")
    table.add_column("95% CI", justify="right", overflow="fold")
    table.add_column("unit", overflow="fold")
    demand = _DEMAND_ROWS if "fill_rate" in summary["kpis"] else ()
    for name in (*_LINE_ROWS, *demand, *shown(list(summary["kpis"]))):
        estimate = summary["kpis"].get(name)
        if estimate is None or (estimate.get("mean") is None and name.startswith("cost")):
            continue
        kpi_unit = _unit(name, estimate, unit)
        table.add_row(
            name, value_in(estimate["mean"], kpi_unit), _interval(estimate, kpi_unit), kpi_unit
        )
    console.print(table)
    bottleneck = summary.get("bottleneck")
    if bottleneck:
        console.print(
            f"bottleneck: {bottleneck['station']} "
            f"(active {share_percent(bottleneck['active_share'])} of the time)",
            soft_wrap=True,
        )
    console.print(_stations(summary, unit))
    for mix_table in (product_table(summary), grade_table(summary), changeover_table(summary)):
        if mix_table is not None:
            console.print(mix_table)
    for warning in summary.get("warnings", []):
        # wrapped at the console's width: a warning is prose, and a long one must not run
        # past an 80-column terminal
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)


def _stations(summary: dict[str, Any], unit: str) -> Table:
    """Station states and OEE [-], a delay's fill [-], output with its unit per row."""
    stations = Table(
        title="stations: mean shares of machine time [-], fill of a delay [-], output",
        title_justify="left",
    )
    stations.add_column("station", overflow="fold")
    for column in _STATION_COLUMNS:
        stations.add_column(column, justify="right", overflow="fold")
    stations.add_column("output", justify="right", overflow="fold")
    stations.add_column("unit", overflow="fold")
    for name, values in summary["stations"].items():
        out = values.get("throughput", {})
        stations.add_row(
            name,
            *(share((values.get(c) or {}).get("mean")) for c in _STATION_COLUMNS),
            format_number(out.get("mean")),
            str(out.get("unit") or f"units / {unit}"),
        )
    return stations
