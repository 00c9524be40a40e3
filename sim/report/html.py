"""``report.html``: one self-contained page of a run (inline CSS, PNGs as data URIs, and the
replay's inline script; nothing loaded from the network).

The page is built only from the results folder (``summary.json`` and the run plots); plots
missing from the folder are drawn first. The markup is the template
``templates/run_report.html.j2``; this module gives it formatted text, which the template
escapes.
"""

from __future__ import annotations

import base64
import json
import math
import os
from pathlib import Path
from typing import Any

from sim.atomic import write_text
from sim.figures import plural
from sim.model.units import SECONDS_PER
from sim.report.line_view import line_views
from sim.report.numbers import format_number
from sim.report.page import PAGE_CSS
from sim.report.plots import RUN_PLOTS
from sim.report.run_data import RunData, bottleneck_station, is_delay, load_results

__all__ = ["PAGE_CSS", "REPORT_NAME", "render_report", "write_report"]

REPORT_NAME = "report.html"


_CSS = (
    PAGE_CSS
    + """tr.busiest td{font-weight:bold}
.partial{font-size:1.05em}
.warnings li{color:#8a5a00}
"""
)

_KPI_UNITS = {  # for summaries written before each KPI carried its unit
    "throughput": "good jobs / {u}",
    "flow_time": "{u}",
    "wip": "jobs",
    "yield": "-",
    "good": "jobs",
    "released": "jobs",
    "scrapped": "jobs",
}

_SHARE_COLUMNS = (
    "busy",
    "idle",
    "blocked",
    "down",
    "setup",
    "minor_stop",
    "off_shift",
    "availability",
    "performance",
    "quality",
    "oee",
)
"""Station columns that are shares of machine time or OEE factors, shown in percent."""
_STATION_COLUMNS = (*_SHARE_COLUMNS, "throughput", "queue")
_HEADERS = {  # soft hyphens let the long words break, so the table fits the page
    "availability": "avail\u00adability",
    "performance": "perfor\u00admance",
    "oee": "OEE",
    "throughput": "output",
}

_CAPTIONS = {
    "throughput.png": "Cumulative good output with the replications' range and the mean rate "
    "(dashed); good output per period with a rolling mean.",
    "states.png": "Share of machine time per state and station, first station at the top; "
    "the bottleneck (largest share busy, down, in setup or minor stops) is outlined.",
    "wip.png": "Work in process per time bin, mean and range over replications; dashed: "
    "time-average WIP.",
    "oee.png": "Availability, performance, quality and OEE per station (means; error bars: "
    "95% confidence intervals when there are two or more replications).",
    "costs.png": "Annual cost per Ah of good cells by category.",
    "grades.png": "Good output a year by grade at nominal Ah (95% CI), the share of the "
    "units graded in each grade and rejected, and each grade's value a year where the "
    "grades carry one.",
    "ramp_up.png": "Ramp-up: good output per month (95% CI) against the target's monthly "
    "share; first-pass and scrap yield per month (95% CI) against the scrap yield the "
    "learning curves predict (red steps).",
}


def _caption(name: str, data: RunData) -> str:
    """What the plot ``name`` draws for this run (the WIP plot of a line with materials
    stacks them; delay stations get their own rows or are left out)."""
    text = _CAPTIONS.get(name, "")
    stations = data.summary.get("stations", {})
    delays = [station for station, values in stations.items() if is_delay(values)]
    if name == "wip.png" and data.materials:
        text = (
            "Work in process per time bin of each material counted in pieces (a serial "
            "line: jobs waiting for each station), stacked, mean over replications; "
            "hatched: the range of their total over the replications (with two or more); "
            "dashed: its time average."
        )
    elif name == "states.png" and delays:
        text += " A delay station (soak or aging store) has no machine states: its row is "
        text += "one hatched bar of its mean fill [% of its capacity]."
    elif name == "oee.png" and delays:
        text += " Delay stations (soak or aging stores) have no machine time and no OEE; "
        text += f"they are left out: {', '.join(delays)}."
    return text


def _interval(estimate: dict[str, Any] | None) -> str:
    ci = (estimate or {}).get("ci95")
    if not ci or None in ci:
        return "-"
    return f"[{format_number(ci[0])}, {format_number(ci[1])}]"


def _mean(estimate: dict[str, Any] | None) -> str:
    return format_number((estimate or {}).get("mean"))


def _percent(value: float | None) -> str:
    """A share [-] in percent with one decimal (two below 0.1 %), '-' when missing."""
    if value is None or not math.isfinite(value):
        return "-"
    percent = 100.0 * value
    return f"{percent:.2f}" if 0 < abs(percent) < 0.1 else f"{percent:.1f}"


def _compact(value: float | None) -> str:
    """A station's output or queue in four significant digits (1,263; 338.9; 1.326)."""
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}" if value else "0"


def _station_cell(estimate: dict[str, Any] | None, share: bool) -> dict[str, str]:
    """A station value (percent for shares) and its 95% CI for the hover text ('' when
    there is none)."""
    ci = (estimate or {}).get("ci95")
    mean = (estimate or {}).get("mean")
    if share:
        text = _percent(mean)
        title = "-" if not ci or None in ci else f"[{_percent(ci[0])}, {_percent(ci[1])}] %"
    else:
        text, title = _compact(mean), _interval(estimate)
    return {"text": text, "title": "" if title == "-" else title}


def _replications(count: Any) -> str:
    """``1 replication``, ``4 replications`` (a count the summary lacks: as given)."""
    return plural(count, "replication") if isinstance(count, int) else f"{count} replications"


def _duration(value: float | None, unit: str) -> str:
    """A scenario duration as given, with days added for long spans in s, min or h."""
    if value is None:
        return "-"
    text = f"{value:,.6g} {unit}"
    days = value * SECONDS_PER.get(unit, 0.0) / SECONDS_PER["d"]
    if unit != "d" and days >= 1:
        text += f" ({days:,.4g} d)"
    return text


def _parameters(summary: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The run's parameters, each as its lines of text (one line per override)."""
    unit = summary.get("time_unit", "")
    reps = summary.get("replications", 0)
    requested = summary.get("replications_requested", reps)
    replications = f"{reps}" if reps == requested else f"{reps} of {requested} requested"
    overrides = summary.get("overrides") or {}
    override_lines = [f"{path} = {json.dumps(value)}" for path, value in overrides.items()]
    rows = [
        ("scenario", summary.get("scenario", "?")),
        ("line", summary.get("line", "?")),
        ("source", summary.get("source", "?")),
        ("seed", summary.get("seed", "?")),
        ("replications", replications),
        ("horizon (measured)", _duration(summary.get("horizon"), unit)),
        ("warm-up (discarded)", _duration(summary.get("warmup"), unit)),
        ("time unit", unit),
        ("overrides", None),
        ("linesim version", summary.get("linesim_version", "?")),
    ]
    return [
        (key, override_lines or ["none"]) if value is None else (key, [str(value)])
        for key, value in rows
    ]


def _kpi_rows(summary: dict[str, Any]) -> list[list[str]]:
    unit = summary.get("time_unit", "")
    return [
        [
            name,
            _mean(estimate),
            _interval(estimate),
            format_number(estimate.get("std")),
            str(estimate.get("n", "-")),
            str(estimate.get("unit") or _KPI_UNITS.get(name, "-").format(u=unit)),
        ]
        for name, estimate in summary.get("kpis", {}).items()
    ]


def _station_table(summary: dict[str, Any]) -> dict[str, Any] | None:
    """The station table's header, rows and whether a delay station is among them."""
    stations = summary.get("stations", {})
    if not stations:
        return None
    unit = summary.get("time_unit", "")
    found = bottleneck_station(summary)
    busiest = found[0] if found else None
    header = ["station"]
    for column in _STATION_COLUMNS:
        name = _HEADERS.get(column, column.replace("_", " "))
        header.append(f"{name} [%]" if column in _SHARE_COLUMNS else name)
    header.append("output unit")
    rows = [
        {
            "name": name,
            "busiest": name == busiest,
            "cells": [
                _station_cell(values.get(column), column in _SHARE_COLUMNS)
                for column in _STATION_COLUMNS
            ],
            "unit": (values.get("throughput") or {}).get("unit") or f"units / {unit}",
        }
        for name, values in stations.items()
    ]
    delays = any(is_delay(values) for values in stations.values())
    return {"header": header, "rows": rows, "delays": delays}


def _figures(data: RunData) -> list[dict[str, str]]:
    figures = []
    for name in (*RUN_PLOTS, "costs.png", "grades.png", "ramp_up.png"):
        path = data.folder / name
        if not path.exists():  # costs, grades and ramp-up plots: costed, graded, ramping lines
            continue
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        figures.append({"png": encoded, "name": name, "caption": _caption(name, data)})
    return figures


def render_report(data: RunData) -> str:
    """Return the HTML page of the run in ``data``; its run plots must exist in its folder."""
    from sim.report.templating import render

    summary = data.summary
    reps = summary.get("replications", 0)
    partial = None
    if summary.get("partial"):
        requested = summary.get("replications_requested", "?")
        partial = {"finished": str(reps), "requested": _replications(requested)}
    return render(
        "run_report.html.j2",
        css=_CSS,
        scenario=str(summary.get("scenario", "?")),
        line=str(summary.get("line", "?")),
        replications=_replications(reps),
        duration=_duration(summary.get("horizon"), summary.get("time_unit", "")),
        partial=partial,
        parameters=_parameters(summary),
        kpis=_kpi_rows(summary),
        stations=_station_table(summary),
        line_views=line_views(data),
        warnings=[str(warning) for warning in summary.get("warnings") or []],
        figures=_figures(data),
    )


def write_report(folder: str | os.PathLike[str], data: RunData | None = None) -> Path:
    """Write ``report.html`` into the results ``folder`` (atomically) and return its path.

    Run plots missing from the folder are drawn first; existing ones are embedded as they are.
    """
    path = Path(folder)
    data = data if data is not None else load_results(path)
    for name, plot in RUN_PLOTS.items():
        if not (path / name).exists():
            plot(data, path / name)
    target = path / REPORT_NAME
    write_text(target, render_report(data))
    return target
