"""The report's views of the line itself: diagram, capacity table, material balance, replay.

They need the run's line (``line.json``) and station counts (``flows.csv``) that
:func:`sim.report.results.write_results` keeps; an older results folder without them gets
no line views (``linesim run`` again to have them).
"""

from __future__ import annotations

import math
from typing import Any

from sim.model.line import Line
from sim.report.balance import balance_html, material_balance, mean_balance
from sim.report.capacity import capacity_heading, capacity_html, finished_target_rate
from sim.report.colors import STATE_COLORS
from sim.report.diagram import Overlay, diagram_svg
from sim.report.line_files import load_flows, load_line_file
from sim.report.replay import replay_html
from sim.report.run_data import RunData, bottleneck_station

__all__ = ["LINE_VIEW_CSS", "line_views", "run_overlay", "target_throughput"]

LINE_VIEW_CSS = """
.line-diagram{max-width:100%;height:auto;border:1px solid #eee}
.key{display:inline-block;margin-right:1.2em;font-size:.9em}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}
#replay .controls{position:sticky;top:0;background:#fff;padding:.4em 0;z-index:1}
#replay .controls button{font-size:1em;padding:.2em 1.2em}
#replay .slider{width:32em;max-width:60%;vertical-align:middle}
#replay .clock{font-variant-numeric:tabular-nums;margin:0 1em}
table.balance td,table.capacity td{white-space:nowrap}
table.balance th,table.balance td,table.capacity th,table.capacity td{padding:.3em .5em}
"""


def _mean(estimate: dict[str, Any] | None) -> float:
    value = (estimate or {}).get("mean")
    return math.nan if value is None else float(value)


def run_overlay(line: Line, summary: dict[str, Any]) -> Overlay:
    """State shares, mean fills and the bottleneck of a run's summary, for the diagram."""
    stations = summary.get("stations", {})
    kpis = summary.get("kpis", {})
    overlay = Overlay()
    for station in line.stations:
        values = stations.get(station.name, {})
        if station.kind == "delay":
            overlay.fill[station.name] = _mean(values.get("fill"))
            continue
        overlay.states[station.name] = {state: _mean(values.get(state)) for state in STATE_COLORS}
    for name, material in (line.materials or {}).items():
        level = _mean(kpis.get(f"wip.{name}"))
        if material.buffer:
            overlay.fill[name] = level / material.buffer
        else:
            overlay.level[name] = level
    found = bottleneck_station(summary)
    overlay.bottleneck = found[0] if found else None
    rate = _mean(kpis.get("throughput"))
    if math.isfinite(rate):
        taken = {m for s in line.stations for m in s.inputs or {}}
        finished = [m for m in line.materials or {} if m not in taken]
        unit = (line.materials or {})[finished[0]].unit if finished else "jobs"
        overlay.output = f"{rate:,.4g} {unit} / {summary.get('time_unit', '')} good"
    return overlay


def target_throughput(data: RunData) -> float | None:
    """The line's target as good finished units a time unit (what the throughput plot
    counts), or ``None`` without a target or ``line.json``."""
    line = load_line_file(data.folder)
    if line is None or line.target is None:
        return None
    rate = finished_target_rate(line)
    return rate if rate is not None and math.isfinite(rate) else None


def line_views(data: RunData) -> dict[str, str] | None:
    """The diagram, capacity, balance and replay sections as rendered HTML, with their
    heading and style sheet, for ``templates/_line_views.html.j2`` (None without
    line.json)."""
    line = load_line_file(data.folder)
    if line is None:
        return None
    summary = data.summary
    released = [row.get("released", math.nan) for row in data.replications]
    flows = load_flows(data.folder)
    balances = [
        material_balance(line, counts, released[i] if i < len(released) else None)
        for i, counts in enumerate(flows)
    ]
    return {
        "css": LINE_VIEW_CSS,
        "diagram": diagram_svg(line, run_overlay(line, summary)),
        "capacity_heading": capacity_heading(line),
        "capacity": capacity_html(line, summary),
        "balance": balance_html(mean_balance(balances), data.time_unit, len(balances)),
        "replay": replay_html(data, line),
    }
