"""The plots of one run: cumulative output and output per period, station states, WIP, OEE.

Each function takes the loaded results (:class:`~sim.report.run_data.RunData`) and a PNG
path, writes a 1600 x 900 px image and returns the path. Replication bands are the range
(min-max) over replications; with one replication there is no band and no error bar.
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.report.colors import DELAY_COLOR
from sim.report.line_view import target_throughput
from sim.report.plot_style import (
    KPI_COLORS,
    STATE_COLORS,
    Period,
    choose_period,
    format_number,
    new_figure,
    no_data,
    save_figure,
    thousands,
    title_text,
)
from sim.report.run_data import RunData, bottleneck_station, is_delay

__all__ = [
    "cumulative_output",
    "output_per_period",
    "plot_oee",
    "plot_states",
    "plot_throughput",
    "plot_wip",
]

STATES = tuple(STATE_COLORS)
"""Machine states in stacking order (those of :data:`sim.engine.monitor.STATES`)."""

_MEAN_COLOR = "#1f3b73"
_BAND_COLOR = "#8fb8de"
_PERIOD_COLOR = "#c9cfd6"
_ROLLING_COLOR = "#7b3294"
_REFERENCE_COLOR = "#444444"
_TARGET_COLOR = "#b00020"


def _mean(estimate: dict[str, Any] | None) -> float:
    """The mean of a summary estimate, NaN if missing."""
    value = None if estimate is None else estimate.get("mean")
    return math.nan if value is None else float(value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _over(data: RunData) -> str:
    """'mean of N replications' or 'one replication'."""
    reps = int(data.summary.get("replications", 0))
    return "one replication" if reps == 1 else f"mean of {reps} replications"


def _finish(
    figure: Figure, data: RunData, what: str, path: str | os.PathLike[str], legend_columns: int = 0
) -> Path:
    """Add title and (optional) legend below the axes, save and return the PNG path."""
    color = "#b00020" if data.summary.get("partial") else "black"
    figure.suptitle(title_text(data.summary, what), color=color, fontweight="bold")
    if legend_columns:
        handles: list[Any] = []
        labels: list[str] = []
        for axes in figure.axes:
            for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
                if label not in labels:
                    handles.append(handle)
                    labels.append(label)
        if handles:
            figure.legend(
                handles,
                labels,
                loc="outside lower center",
                ncols=min(legend_columns, len(handles)),
                frameon=False,
            )
    return save_figure(figure, path)


def _band(axes: Axes, x: np.ndarray, curves: np.ndarray, label: str, step: bool) -> None:
    """Draw the mean of ``curves`` (replications x points) and their min-max band."""
    reps = curves.shape[0]
    mean = np.nanmean(curves, axis=0)
    drawstyle = "steps-post" if step else "default"
    axes.plot(
        x,
        mean,
        color=_MEAN_COLOR,
        linewidth=1.6,
        drawstyle=drawstyle,
        zorder=3,
        label=f"{label}, mean of {reps} replications" if reps > 1 else label,
    )
    if reps > 1:
        axes.fill_between(
            x,
            np.nanmin(curves, axis=0),
            np.nanmax(curves, axis=0),
            step="post" if step else None,
            color=_BAND_COLOR,
            alpha=0.5,
            linewidth=0,
            label=f"range of {reps} replications",
        )


def cumulative_output(data: RunData) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges [time unit] and cumulative good output at each edge [jobs] per replication."""
    series = data.timeseries
    counts = series.throughput * series.width  # jobs per bin, per replication
    edges = np.concatenate([series.start[:1], series.end])
    zero = np.zeros((counts.shape[0], 1))
    return edges, np.concatenate([zero, np.cumsum(counts, axis=1)], axis=1)


def output_per_period(data: RunData) -> tuple[Period, np.ndarray, np.ndarray]:
    """Good output per period of the measured window, mean over replications.

    Returns the period (see :func:`~sim.report.plot_style.choose_period`), the period edges
    [time unit] (the last period may be shorter) and the output of each period expressed
    per full period [jobs / period]. A bin straddling two periods is split in proportion
    to time (constant rate within a bin).
    """
    series = data.timeseries
    edges, cumulative = cumulative_output(data)
    horizon = float(edges[-1] - edges[0])
    period = choose_period(horizon, float(series.width.mean()), len(series.start), data.time_unit)
    full = math.floor(horizon / period.length + 1e-9)
    marks = edges[0] + period.length * np.arange(full + 1)
    if horizon - full * period.length > 1e-9 * horizon:
        marks = np.append(marks, edges[-1])  # a last, shorter period
    per_rep = np.array([np.diff(np.interp(marks, edges, curve)) for curve in cumulative])
    return period, marks, np.nanmean(per_rep, axis=0) / np.diff(marks) * period.length


def plot_throughput(data: RunData, path: str | os.PathLike[str]) -> Path:
    """Cumulative good output [jobs] over the window and good output per period [jobs/period].

    Top: mean cumulative output with the replications' range and a dashed line at the mean
    throughput [jobs / time unit]. Bottom: output per period (hour, shift, day or week by the
    horizon, see :func:`output_per_period`), averaged over replications, with a trailing
    rolling mean.
    """
    unit = data.time_unit
    output = str(data.summary.get("output_unit", "jobs"))
    series = data.timeseries
    figure, (top, bottom) = new_figure(2, 1, sharex=True, height_ratios=(3, 2))
    if series.empty:
        no_data(top)
        no_data(bottom)
        return _finish(figure, data, "good output", path)
    edges, cumulative = cumulative_output(data)
    _band(top, edges, cumulative, "cumulative output", step=False)
    rate = _mean(data.summary.get("kpis", {}).get("throughput"))
    if math.isfinite(rate):
        top.plot(
            edges[[0, -1]],
            [0.0, rate * (edges[-1] - edges[0])],
            linestyle="--",
            color=_REFERENCE_COLOR,
            linewidth=1.2,
            label=f"mean rate {format_number(rate)} good {output} / {unit}",
        )
    target = target_throughput(data)  # the line's target:, when it has one
    if target is not None:
        top.plot(
            edges[[0, -1]],
            [0.0, target * (edges[-1] - edges[0])],
            linestyle=":",
            color=_TARGET_COLOR,
            linewidth=1.6,
            label=f"target {format_number(target)} good {output} / {unit}",
        )
    top.set_ylabel(f"cumulative good output [{output}]")
    top.set_ylim(bottom=0)
    top.set_title("cumulative good output in the measured window", loc="left")
    thousands(top.yaxis)

    period, marks, per_period = output_per_period(data)
    durations = np.diff(marks)
    named = period.name in ("hour", "shift", "day", "week")
    per = period.name if named else f"period ({period.name})"
    bottom.bar(
        marks[:-1],
        per_period,
        width=durations,
        align="edge",
        color=_PERIOD_COLOR,
        edgecolor="white",
        linewidth=0.5 if len(durations) < 60 else 0.0,
        label=f"output per {per}" + (" (mean)" if len(cumulative) > 1 else ""),
    )
    window = max(
        2,
        min(
            {"hour": 24, "shift": 14, "day": 7, "week": 4}.get(period.name, 5), len(per_period) // 3
        ),
    )
    if len(per_period) >= 2 * window:
        rolling = np.convolve(per_period, np.ones(window) / window, mode="valid")
        centres = marks[:-1] + durations / 2
        what = _plural(window, period.name) if named else f"{window} periods"
        bottom.plot(
            centres[window - 1 :],
            rolling,
            color=_ROLLING_COLOR,
            linewidth=1.6,
            label=f"rolling mean, {what}",
        )
    if math.isfinite(rate):
        bottom.axhline(rate * period.length, linestyle="--", color=_REFERENCE_COLOR, linewidth=1.2)
    if target is not None:
        bottom.axhline(target * period.length, linestyle=":", color=_TARGET_COLOR, linewidth=1.6)
    bottom.set_ylabel(f"good {output} / {period.name}")
    bottom.set_xlabel(f"simulated time [{unit}]")
    bottom.set_ylim(bottom=0)
    bottom.set_xlim(edges[0], edges[-1])
    thousands(bottom.yaxis)
    thousands(bottom.xaxis)
    for axes in (top, bottom):
        axes.grid(axis="y", color="0.9")
        axes.set_axisbelow(True)
    return _finish(figure, data, "good output", path, legend_columns=3)


def plot_states(data: RunData, path: str | os.PathLike[str]) -> Path:
    """Share of machine time [%] busy, idle, blocked, down, setup per station, in flow order.

    One stacked horizontal bar per station, first station at the top; the bottleneck
    (highest busy + down + setup share) is outlined and named in the legend. A delay
    station (a soak or aging store) has no machine states: its row is one hatched bar of
    its mean fill [% of its capacity].
    """
    figure, axes = new_figure()
    stations = data.summary.get("stations", {})
    if not stations:
        no_data(axes)
        return _finish(figure, data, "station states", path)
    names = list(stations)
    delays = [name for name in names if is_delay(stations[name])]
    shares = {name: {state: _mean(stations[name].get(state)) for state in STATES} for name in names}
    y = np.arange(len(names))
    height = 0.7
    left = np.zeros(len(names))
    small = len(names) > 20
    for state in STATES:
        values = np.nan_to_num(np.array([shares[name][state] for name in names]))
        axes.barh(
            y,
            values,
            height=height,
            left=left,
            color=STATE_COLORS[state],
            label=state.replace("_", " ") if state != "idle" else "idle (starved)",
        )
        for row, (start, share) in enumerate(zip(left, values, strict=True)):
            if share >= 0.06 and not small:
                dark = state in ("busy", "down", "setup")
                axes.text(
                    start + share / 2,
                    row,
                    f"{share:.0%}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
        left += values
    if delays:
        rows = [names.index(name) for name in delays]
        fills = [min(max(_mean(stations[name].get("fill")), 0.0), 1.0) for name in delays]
        axes.barh(
            rows,
            fills,
            height=height,
            color=DELAY_COLOR,
            hatch="///",
            edgecolor="#5b7fa6",
            linewidth=0.0,
            label="delay station: mean fill [% of capacity]",
        )
        for row, fill in zip(rows, fills, strict=True):
            left[row] = fill
            inside = fill >= 0.25
            axes.text(
                fill - 0.01 if inside else fill + 0.01,
                row,
                f"delay, {fill:.0%} full",
                ha="right" if inside else "left",
                va="center",
                fontsize=7 if small else 8,
                color="#1a1a1a",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85},
            )
    axes.set_yticks(y, names, fontsize=7 if small else 9)
    for row in (names.index(name) for name in delays):
        axes.get_yticklabels()[row].set_fontstyle("italic")
    busiest = bottleneck_station(data.summary)
    if busiest is not None and busiest[0] in names:
        row = names.index(busiest[0])
        axes.barh(
            [row],
            [max(left[row], 1.0)],
            height=height + 0.16,
            fill=False,
            edgecolor="black",
            linewidth=2.0,
            label=f"bottleneck (active {busiest[1]:.1%})",
        )
        axes.get_yticklabels()[row].set_fontweight("bold")
    axes.set_ylim(len(names) - 0.5, -0.5)  # first station at the top
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    what = "share of machine time [%]" + (", delays: share of capacity filled [%]" * bool(delays))
    axes.set_xlabel(f"{what} ({_over(data)})")
    axes.set_title("where the machine time goes, first station at the top", loc="left")
    return _finish(figure, data, "station states", path, legend_columns=5 if delays else 6)


def plot_wip(data: RunData, path: str | os.PathLike[str]) -> Path:
    """Work in process [jobs] per bin over the window, mean and range over replications.

    The dashed line is the time-average WIP of the run (``kpis.wip.mean``) [jobs].
    """
    unit = data.time_unit
    series = data.timeseries
    if data.materials:
        return _plot_material_wip(data, path)
    figure, axes = new_figure()
    if series.empty:
        no_data(axes)
        return _finish(figure, data, "work in process", path)
    edges = np.concatenate([series.start, series.end[-1:]])
    curves = np.concatenate([series.wip, series.wip[:, -1:]], axis=1)
    _band(axes, edges, curves, "WIP per bin", step=True)
    average = _mean(data.summary.get("kpis", {}).get("wip"))
    if math.isfinite(average):
        axes.axhline(
            average,
            linestyle="--",
            color=_REFERENCE_COLOR,
            linewidth=1.2,
            label=f"time-average WIP {format_number(average)} jobs",
        )
    axes.set_xlim(edges[0], edges[-1])
    top = float(np.nanmax(curves)) if np.isfinite(curves).any() else 1.0
    axes.set_ylim(0, max(top, average if math.isfinite(average) else 0.0, 1e-9) * 1.08)
    axes.set_xlabel(f"simulated time [{unit}]")
    axes.set_ylabel("work in process [jobs]")
    width = format_number(float(series.width.mean()))
    axes.set_title(f"jobs in the line, average per bin of {width} {unit}", loc="left")
    thousands(axes.xaxis)
    thousands(axes.yaxis)
    axes.grid(axis="y", color="0.9")
    axes.set_axisbelow(True)
    return _finish(figure, data, "work in process", path, legend_columns=3)


def _plot_material_wip(data: RunData, path: str | os.PathLike[str]) -> Path:
    """WIP of a line with materials: stacked mean WIP of each material counted in pieces
    (cells, jelly rolls) over the window [pieces], in flow order, with the range of their
    total over the replications (hatched) and its time average (dashed); web and bulk
    materials, in other units, are listed in the summary's ``wip.<material>`` KPIs."""
    unit = data.time_unit
    figure, axes = new_figure()
    pieces = {name: series for name, series in data.materials.items() if series.discrete}
    if not pieces:
        no_data(axes, "no material counted in pieces")
        return _finish(figure, data, "work in process", path)
    units = {series.unit for series in pieces.values()}
    counted = "jobs" if units <= {"job", "jobs"} else "pieces"  # a serial line's are jobs
    first = next(iter(pieces.values()))
    edges = np.concatenate([first.start, first.end[-1:]])
    means = [np.nanmean(series.wip, axis=0) for series in pieces.values()]
    steps = [np.concatenate([mean, mean[-1:]]) for mean in means]
    colors = matplotlib.colormaps["tab20"](np.linspace(0, 1, max(len(steps), 2)))
    axes.stackplot(edges, *steps, labels=list(pieces), step="post", colors=colors)
    totals = np.sum([series.wip for series in pieces.values()], axis=0)  # (reps, bins)
    reps = totals.shape[0]
    if reps > 1:  # the total's spread: the stack is the mean, the band its range
        low, high = np.nanmin(totals, axis=0), np.nanmax(totals, axis=0)
        axes.fill_between(
            edges,
            np.concatenate([low, low[-1:]]),
            np.concatenate([high, high[-1:]]),
            step="post",
            facecolor="none",
            edgecolor="#333333",
            hatch="////",
            linewidth=0.5,
            zorder=3,
            label=f"range of the total over {reps} replications",
        )
    average = float(np.nanmean(totals)) if np.isfinite(totals).any() else math.nan
    if math.isfinite(average):
        axes.axhline(
            average,
            linestyle="--",
            color=_REFERENCE_COLOR,
            linewidth=1.2,
            zorder=4,
            label=f"time-average total {_count(average)} {counted}"
            + (" waiting" if counted == "jobs" else ""),
        )
    axes.set_xlim(edges[0], edges[-1])
    axes.set_ylim(bottom=0)
    axes.set_xlabel(f"simulated time [{unit}]")
    axes.set_ylabel(f"work in process [{counted}]")
    if counted == "jobs":  # a serial line's materials are the queues before its stations
        what = "jobs waiting, by the station they wait for"
    else:
        what = "pieces waiting or soaking, by material"
    axes.set_title(
        f"{what}, stacked ({_over(data)})" + ("; hatched: range of the total" if reps > 1 else ""),
        loc="left",
    )
    thousands(axes.xaxis)
    thousands(axes.yaxis)
    axes.grid(axis="y", color="0.9")
    axes.set_axisbelow(True)
    return _finish(figure, data, "work in process", path, legend_columns=4)


def _count(value: float) -> str:
    """A count of pieces or jobs: whole above 1,000, else three significant digits."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _wrap(name: str, width: int = 14) -> str:
    """Break a long station name at hyphens or spaces for an x tick label."""
    if len(name) <= width:
        return name
    spaced = name.replace("-", "- ").replace("_", "_ ")
    lines = textwrap.wrap(spaced, width=width, break_long_words=True)
    return "\n".join(line.replace("- ", "-").replace("_ ", "_") for line in lines)


_OEE_KPIS = ("availability", "performance", "quality", "oee")


def plot_oee(data: RunData, path: str | os.PathLike[str]) -> Path:
    """Availability, performance, quality and OEE [%] per station, with 95% CI error bars."""
    figure, axes = new_figure()
    stations = data.summary.get("stations", {})
    if not stations:
        no_data(axes)
        return _finish(figure, data, "OEE", path)
    delays = [name for name in stations if is_delay(stations[name])]
    names = [name for name in stations if name not in delays]
    if not names:
        no_data(axes, "no station with machines (delays have no OEE)")
        return _finish(figure, data, "OEE", path)
    x = np.arange(len(names))
    width = 0.8 / len(_OEE_KPIS)
    highest = 1.0
    for index, kpi in enumerate(_OEE_KPIS):
        estimates = [stations[name].get(kpi) or {} for name in names]
        means = np.array([_mean(e) for e in estimates])
        errors = np.zeros((2, len(names)))
        for column, (mean, est) in enumerate(zip(means, estimates, strict=True)):
            ci = est.get("ci95")
            if ci and math.isfinite(mean) and None not in ci:
                errors[:, column] = [max(mean - ci[0], 0.0), max(ci[1] - mean, 0.0)]
        positions = x + (index - (len(_OEE_KPIS) - 1) / 2) * width
        heights = np.nan_to_num(means)
        label = "OEE" if kpi == "oee" else kpi
        axes.bar(
            positions,
            heights,
            width=width,
            color=KPI_COLORS[kpi],
            label=label,
            yerr=errors if errors.any() else None,
            capsize=2,
            error_kw={"elinewidth": 0.9, "ecolor": "#333333"},
        )
        if np.isfinite(means).any():
            highest = max(highest, float(np.nanmax(means + errors[1])))
        if kpi == "oee" and len(names) <= 12:
            for position, mean, error in zip(positions, means, errors[1], strict=True):
                if math.isfinite(mean):
                    axes.text(
                        position,
                        mean + error + 0.015,
                        f"{mean:.0%}",
                        ha="center",
                        va="bottom",
                        fontsize=7.5,
                        color=KPI_COLORS["oee"],
                    )
    axes.axhline(1.0, color="0.6", linewidth=0.8, linestyle=":")
    if len(names) <= 8:  # room for about 16 characters per station
        axes.set_xticks(x, [_wrap(name) for name in names], fontsize=9)
    else:
        axes.set_xticks(x, names, fontsize=8, rotation=35, ha="right", rotation_mode="anchor")
    axes.set_xlim(-0.5, len(names) - 0.5)
    axes.set_ylim(0, highest * 1.1)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel(f"share [%] ({_over(data)})")
    reps = int(data.summary.get("replications", 0))
    ci_note = ", bars: 95% CI" if reps > 1 else ""
    title = f"OEE = availability x performance x quality, per station{ci_note}"
    if delays:  # soak and aging stores have no machine time, so no OEE
        title += "\n" + textwrap.shorten(
            f"left out: {_plural(len(delays), 'delay station')} without machine states "
            f"({', '.join(delays)})",
            width=120,
            placeholder=" ...)",
        )
    axes.set_title(title, loc="left", **({"fontsize": 10} if delays else {}))
    axes.grid(axis="y", color="0.9")
    axes.set_axisbelow(True)
    return _finish(figure, data, "OEE", path, legend_columns=4)
