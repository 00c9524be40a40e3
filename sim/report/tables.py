"""Console tables of a summary (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["format_number", "print_summary"]

_LINE_ROWS = (
    ("throughput", "good units / {u}"),
    ("ah_per_year", "Ah / year"),
    ("cells_per_year", "cells / year"),
    ("modules_per_year", "modules / year"),
    ("flow_time", "{u}"),
    ("wip", "jobs"),
    ("yield", "-"),
    ("cell_yield", "-"),
    ("escaped_defects", "share of output"),
)


def format_number(value: float | None) -> str:
    """A number in at most about five significant digits, ``-`` for none."""
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e6 or magnitude < 1e-3):
        return f"{value:.4g}"
    return f"{value:,.4f}" if magnitude < 10 else f"{value:,.2f}"


def _interval(estimate: dict[str, Any]) -> str:
    ci = estimate.get("ci95")
    if not ci:
        return "-"
    return f"[{format_number(ci[0])}, {format_number(ci[1])}]"


def print_summary(summary: dict[str, Any], console: Console | None = None) -> None:
    """Print the line KPIs with 95% CIs and a table of station states and OEE."""
    console = console or Console()
    unit = summary["time_unit"]
    partial = " (partial: interrupted)" if summary.get("partial") else ""
    horizon, warmup = format_number(summary["horizon"]), format_number(summary["warmup"])
    title = (
        f"{summary['scenario']}: {summary['replications']} replication(s) of "
        f"{horizon} {unit} after {warmup} {unit} warm-up{partial}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("unit")
    for name, unit_text in _LINE_ROWS:
        estimate = summary["kpis"].get(name)
        if estimate is None:
            continue
        table.add_row(
            name, format_number(estimate["mean"]), _interval(estimate), unit_text.format(u=unit)
        )
    console.print(table)
    bottleneck = summary.get("bottleneck")
    if bottleneck:
        console.print(
            f"bottleneck: {bottleneck['station']} "
            f"(active {bottleneck['active_share']:.1%} of the time)"
        )

    stations = Table(title="stations (mean shares of machine time)", title_justify="left")
    columns = ("busy", "idle", "blocked", "down", "setup", "oee", "throughput")
    stations.add_column("station", no_wrap=True)
    for column in columns:
        stations.add_column(column if column != "throughput" else f"out / {unit}", justify="right")
    for name, values in summary["stations"].items():
        stations.add_row(name, *(format_number(values[c]["mean"]) for c in columns))
    console.print(stations)
    for warning in summary.get("warnings", []):
        console.print(f"[yellow]warning:[/yellow] {warning}")
