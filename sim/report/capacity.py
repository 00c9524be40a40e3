"""Capacity table: what each station can make against what the line's target needs of it.

Per station: ideal rate per machine x machines x availability (failures, setups, minor
stops, maintenance and shifts, the static estimate of :attr:`Station.capacity_rate`) gives
its capacity; the target (``target:`` on the line) is carried back through every recipe
and every station's losses (scrap, and defects found there) to the output each station must
give, and forward to the stations after the product step (cells into modules). Load =
needed / capacity; slack = capacity - needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.model.line import Line
from sim.model.serial import as_general
from sim.model.station import Station
from sim.model.units import SECONDS_PER
from sim.report.line_graph import output_rate_per_hour

__all__ = [
    "CapacityRow",
    "capacity_html",
    "capacity_table",
    "finished_target_rate",
    "print_capacity",
    "target_rate",
]


@dataclass(frozen=True)
class CapacityRow:
    """One station [output unit / h unless said]."""

    station: str
    unit: str
    machines: int
    """parallel machines [-] (0 for a delay)"""
    rate_per_machine: float
    """ideal output of one machine (a delay: what it holds / soak time) [unit / h]"""
    availability: float
    """capacity / (machines x ideal rate) [-]: failures, setups, stops, shifts."""
    capacity: float
    needed: float
    """output the target needs of it [unit / h]; NaN without a target."""

    @property
    def load(self) -> float:
        """needed / capacity [-]."""
        return self.needed / self.capacity if self.capacity > 0 else math.inf

    @property
    def slack(self) -> float:
        """capacity - needed [unit / h]."""
        return self.capacity - self.needed


def _shift_share(line: Line, station: Station) -> float:
    """Share of the time the station is staffed [-] (1 without shifts)."""
    if station.shifts is None:
        return 1.0
    from sim.engine.calendar import ShiftCalendar

    intervals = [(s.start, s.start + s.length) for s in line.shifts if s.name in station.shifts]
    return ShiftCalendar(intervals, line.shift_cycle).on_per_period / line.shift_cycle


def _out(station: Station) -> float:
    return next(iter((station.output or {"": 1.0}).values()))


def _good_share(line: Line, station: Station) -> float:
    """Share of what the station makes that it gives on [-]: 1 - defects found here, then
    1 - scrap."""
    found = sum(
        s.defects.rate for s in line.stations if s.defects and s.defects.found_at == station.name
    )
    return max(0.0, 1.0 - found) * (1.0 - station.scrap)


def target_rate(line: Line) -> tuple[str, float] | None:
    """The material the target is set on and its good units a time unit [unit / time unit].

    ``ah_per_year`` is good cells of ``product.cell``; ``throughput`` the line's finished
    units (a serial line's jobs). ``None`` without a target.
    """
    target = line.target
    if target is None:
        return None
    if target.ah_per_year is not None and line.product is not None:
        cells = target.ah_per_year / line.product.ah_per_cell / line.time_per_year
        return line.product.cell, cells
    if target.throughput is None:
        return None
    line = as_general(line)
    consumed = {m for s in line.stations for m in s.inputs or {}}
    made = [s.output_material for s in line.stations]
    finished = [m for m in line.materials or {} if m in made and m not in consumed]
    return (finished[0] if finished else ""), target.throughput


def finished_target_rate(line: Line) -> float | None:
    """The target as good finished units (what the throughput plot counts) a time unit."""
    found = target_rate(line)
    if found is None:
        return None
    line = as_general(line)
    needed = _needed_cycles(line, found)
    # The first finished material, as the run's time series counts.
    consumed = {m for s in line.stations for m in s.inputs or {}}
    made = {s.output_material for s in line.stations}
    finished = [m for m in line.materials or {} if m in made and m not in consumed]
    makers = [s for s in line.stations if finished and s.output_material == finished[0]]
    return sum(needed.get(s.name, math.nan) * _out(s) * _good_share(line, s) for s in makers)


def _needed_cycles(line: Line, found: tuple[str, float]) -> dict[str, float]:
    """Cycles a time unit each station must finish for the target [1 / time unit]."""
    material, rate = found
    order = line.flow_order()
    cycles: dict[str, float] = {}
    demand = {material: rate}  # good units a time unit into each material
    for station in reversed(order):  # back from the target, through recipes and losses
        want = demand.get(station.output_material or "")
        if want is None:
            continue
        producers = [s for s in line.stations if s.output_material == station.output_material]
        share = station.capacity_rate / max(sum(p.capacity_rate for p in producers), 1e-300)
        cycles[station.name] = want * share / _out(station) / max(_good_share(line, station), 1e-12)
        for name, quantity in (station.inputs or {}).items():
            demand[name] = demand.get(name, 0.0) + cycles[station.name] * quantity
    supply = dict(demand)
    for station in order:  # forward from the target to what is made of it (modules)
        if station.name in cycles:
            continue
        inputs = station.inputs or {}
        if not inputs or not all(m in supply for m in inputs):
            continue
        cycles[station.name] = min(supply[m] / q for m, q in inputs.items())
        out = station.output_material or ""
        supply[out] = cycles[station.name] * _out(station) * _good_share(line, station)
    return cycles


def capacity_table(line: Line) -> list[CapacityRow]:
    """One row per station in file order; ``needed`` is NaN without a target."""
    hours = SECONDS_PER[line.time_unit] / SECONDS_PER["h"]  # h per time unit
    found = target_rate(line)
    cycles = _needed_cycles(line, found) if found is not None else {}
    units = {name: m.unit for name, m in (line.materials or {}).items()}
    rows = []
    for station in line.stations:
        per_machine = output_rate_per_hour(station, line.time_unit)
        capacity = station.capacity_rate * _shift_share(line, station) * _out(station) / hours
        if station.kind == "delay":
            machines, ideal = 0, per_machine
        else:
            machines, ideal = station.machines, per_machine * station.machines
        needed = cycles.get(station.name, math.nan) * _out(station) / hours
        rows.append(
            CapacityRow(
                station.name,
                units.get(station.output_material or "", "jobs"),
                machines,
                per_machine,
                capacity / ideal if ideal > 0 and math.isfinite(ideal) else math.nan,
                capacity,
                needed,
            )
        )
    return rows


def _n(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _with_unit(value: float, unit: str) -> str:
    """A number and its unit, or ``-`` alone when there is no number."""
    return f"{_n(value)} {unit}" if math.isfinite(value) else "-"


def _target_text(line: Line) -> str:
    target = line.target
    if target is None:
        return "no target: set target: {ah_per_year: ...} or {throughput: ...} on the line"
    if target.ah_per_year is not None:
        return f"target {target.ah_per_year:,.0f} Ah / year of good cells"
    return f"target {target.throughput:,.4g} good units / {line.time_unit}"


def print_capacity(line: Line, summary: dict[str, Any], console: Any) -> None:
    """Print the capacity table with the simulated busy share next to the needed load."""
    from rich.table import Table

    title = "capacity against the " if line.target is not None else "capacity ("
    title += _target_text(line) + ("" if line.target is not None else ")")
    table = Table(title=title, title_justify="left")
    for column in ("station", "rate/machine", "machines", "avail.", "capacity", "needed"):
        table.add_column(column, justify="left" if column == "station" else "right")
    table.add_column("load", justify="right")
    table.add_column("slack", justify="right")
    table.add_column("busy (run)", justify="right")
    stations = summary.get("stations", {})
    for row in capacity_table(line):
        busy = (stations.get(row.station, {}).get("busy") or {}).get("mean")
        per = f"{row.unit}/h"
        table.add_row(
            row.station,
            f"{_n(row.rate_per_machine)} {per}",
            str(row.machines or "-"),
            _n(row.availability),
            f"{_n(row.capacity)} {per}",
            _with_unit(row.needed, per),
            f"{row.load:.0%}" if math.isfinite(row.needed) else "-",
            _with_unit(row.slack, per),
            f"{busy:.0%}" if isinstance(busy, float) and math.isfinite(busy) else "-",
        )
    console.print(table)


def capacity_html(line: Line, summary: dict[str, Any]) -> str:
    """The capacity table as HTML; the highest load is marked."""
    import html  # for report.html only: its entity table is not needed to print

    rows = capacity_table(line)
    loads = [r.load for r in rows if math.isfinite(r.needed)]
    highest = max(loads) if loads else math.nan
    stations = summary.get("stations", {})
    e = html.escape
    body = []
    for row in rows:
        busy = (stations.get(row.station, {}).get("busy") or {}).get("mean")
        mark = ' class="busiest"' if math.isfinite(row.needed) and row.load == highest else ""
        per = f"{e(row.unit)}/h"
        body.append(
            f'<tr{mark} data-station="{e(row.station)}"><td>{e(row.station)}</td>'
            f"<td>{_n(row.rate_per_machine)} {per}</td><td>{row.machines or '-'}</td>"
            f"<td>{_n(row.availability)}</td><td>{_n(row.capacity)} {per}</td>"
            f"<td>{_n(row.needed)} {per}</td>"
            f"<td>{f'{row.load:.0%}' if math.isfinite(row.needed) else '-'}</td>"
            f"<td>{_n(row.slack)} {per}</td>"
            f"<td>{f'{busy:.0%}' if isinstance(busy, float) and math.isfinite(busy) else '-'}"
            "</td></tr>"
        )
    header = (
        "<tr><th>station</th><th>ideal rate per machine</th><th>machines</th>"
        "<th>availability [-]</th><th>capacity</th><th>needed for target</th><th>load</th>"
        "<th>slack</th><th>busy in the run</th></tr>"
    )
    note = (
        f'<p class="sub">{e(_target_text(line))}. Capacity = ideal rate x machines x '
        "availability (failures, setups, minor stops, maintenance, shifts; a static "
        "estimate); a delay's capacity is what it holds / its soak time. Needed: the target "
        "carried back through every recipe and every station's scrap and late finds. Load = "
        "needed / capacity (bold: the highest); busy: the simulated share of machine time "
        "processing.</p>"
    )
    table = f'<table class="capacity"><thead>{header}</thead><tbody>{"".join(body)}</tbody></table>'
    return table + note
