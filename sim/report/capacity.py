"""Capacity table: what each station can make against what the line's target needs of it,
printed and as HTML (the arithmetic is :mod:`sim.analysis.capacity`)."""

from __future__ import annotations

import math
from typing import Any

from sim.analysis.capacity import (
    CapacityRow,
    capacity_table,
    finished_target_rate,
    target_rate,
)
from sim.analysis.units import output_unit
from sim.figures import number, share, share_percent
from sim.model.line import Line

__all__ = [
    "CapacityRow",
    "capacity_heading",
    "capacity_html",
    "capacity_table",
    "finished_target_rate",
    "print_capacity",
    "target_rate",
]


def _n(value: float) -> str:
    """A rate or a count as a measure (:func:`sim.figures.number`); ``-`` when unknown."""
    return number(value) if math.isfinite(value) else "-"


def _share(value: float) -> str:
    return share(value) if math.isfinite(value) else "-"


def _percent(value: Any) -> str:
    """A load or busy share as a percentage; ``-`` when unknown."""
    return share_percent(value) if isinstance(value, float) and math.isfinite(value) else "-"


def _with_unit(value: float, unit: str) -> str:
    """A number and its unit, or ``-`` alone when there is no number."""
    return f"{_n(value)} {unit}" if math.isfinite(value) else "-"


def _target_text(line: Line) -> str:
    target = line.target
    if target is None:
        return "no target: set target: {ah_per_year: ...} or {throughput: ...} on the line"
    if target.ah_per_year is not None:
        return f"target {number(target.ah_per_year)} Ah / year of good cells"
    return f"target {number(target.throughput)} good {output_unit(line)} / {line.time_unit}"


def print_capacity(line: Line, summary: dict[str, Any], console: Any) -> None:
    """Print the capacity table with the simulated busy share next to the needed load."""
    from rich.table import Table

    title = "capacity against the " if line.target is not None else "capacity ("
    title += _target_text(line) + ("" if line.target is not None else ")")
    title += "; busy: the run's share of machine time"
    table = Table(title=title, title_justify="left")
    for column in ("station", "rate/machine", "machines", "avail.", "capacity", "needed"):
        table.add_column(  # folded, never cut off
            column, justify="left" if column == "station" else "right", overflow="fold"
        )
    for column in ("load", "slack", "busy"):
        table.add_column(column, justify="right", overflow="fold")
    stations = summary.get("stations", {})
    for row in capacity_table(line):
        busy = (stations.get(row.station, {}).get("busy") or {}).get("mean")
        per = f"{row.unit}/h"
        table.add_row(
            row.station,
            f"{_n(row.rate_per_machine)} {per}",
            str(row.machines or "-"),
            _share(row.availability),
            f"{_n(row.capacity)} {per}",
            _with_unit(row.needed, per),
            _percent(row.load) if math.isfinite(row.needed) else "-",
            _with_unit(row.slack, per),
            _percent(busy),
        )
    console.print(table)


def capacity_heading(line: Line) -> str:
    """The capacity section's title: against the target with its value when the line has
    one, plain 'Capacity' when it has none."""
    if line.target is None:
        return "Capacity"
    return "Capacity against the target: " + _target_text(line).removeprefix("target ")


def capacity_html(line: Line, summary: dict[str, Any]) -> str:
    """The capacity table as HTML; the highest load is marked. Without a target the
    columns that need one (needed, load, slack) are left out."""
    from sim.report.templating import render  # Jinja2 for report.html only, not to print

    rows = capacity_table(line)
    targeted = line.target is not None
    loads = [r.load for r in rows if math.isfinite(r.needed)]
    highest = max(loads) if loads else math.nan
    stations = summary.get("stations", {})
    body = []
    for row in rows:
        busy = (stations.get(row.station, {}).get("busy") or {}).get("mean")
        per = f"{row.unit}/h"
        cells = [
            row.station,
            f"{_n(row.rate_per_machine)} {per}",
            str(row.machines or "-"),
            _n(row.availability),
            f"{_n(row.capacity)} {per}",
        ]
        if targeted:
            cells += [
                _with_unit(row.needed, per),
                f"{row.load:.0%}" if math.isfinite(row.needed) else "-",
                _with_unit(row.slack, per),
            ]
        cells.append(f"{busy:.0%}" if isinstance(busy, float) and math.isfinite(busy) else "-")
        marked = math.isfinite(row.needed) and row.load == highest
        body.append({"station": row.station, "highest": marked, "cells": cells})
    columns = ["station", "ideal rate per machine", "machines", "availability [-]", "capacity"]
    if targeted:
        columns += ["needed for the target", "load [%]", "slack"]
    columns.append("busy in the run [%]")
    target = _target_text(line) if targeted else None
    return render("capacity.html.j2", columns=columns, rows=body, target=target)
