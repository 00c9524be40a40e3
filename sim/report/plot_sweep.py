"""Plots of a sweep: each KPI against each parameter with 95% CI bands, and for a CONWIP
sweep throughput and flow time against WIP with Factory Physics' reference curves.

They read only the content of ``sweep.json``; they never run the engine.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.bounds import LineBounds
from sim.figures import plural
from sim.report.labels import SHARES, kpi_label, parameter_label
from sim.report.plot_style import new_figure, no_data, save_figure, thousands

__all__ = ["MAX_PLOTS", "MAX_SERIES", "clip_range", "plot_conwip", "plot_kpi", "write_sweep_plots"]

MAX_SERIES = 6
"""Most lines in one plot; a grid with more combinations of the other parameters is
drawn as points [-]."""
MAX_PLOTS = 40
"""Most KPI-against-parameter plots written for one sweep [-]."""

_CURVES = {
    "best case": ("#2e9e44", "-"),
    "practical worst case": ("#f28e2b", "--"),
    "worst case": ("#d62728", ":"),
}


def _number(value: Any) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
    )


def _parameter_unit(content: dict[str, Any], parameter: str) -> str | None:
    """A parameter's unit from ``sweep.json`` (None for a file written before units)."""
    unit = (content.get("parameter_units") or {}).get(parameter)
    return str(unit) if unit else None


def _kpi_unit(content: dict[str, Any], kpi: str) -> str | None:
    """A KPI's unit as its estimates in the rows carry it."""
    for row in content["rows"]:
        unit = (row["kpis"].get(kpi) or {}).get("unit")
        if unit:
            return str(unit)
    return None


def _value(value: Any, unit: str | None) -> str:
    """A parameter value for a legend: ``500 pcs``, ``62`` (no unit for a count)."""
    text = f"{value:,}" if isinstance(value, int | float) and not isinstance(value, bool) else value
    return f"{text} {unit}" if unit and unit != "-" else str(text)


def _series(content: dict[str, Any], parameter: str) -> dict[str, list[dict[str, Any]]]:
    """Group rows by the values of the other parameters (label -> rows)."""
    others = [p for p in content["parameters"] if p != parameter]
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in content["rows"]:
        values = [_value(row["parameters"][p], _parameter_unit(content, p)) for p in others]
        label = ", ".join(
            f"{parameter_label(p, None)} = {value}" for p, value in zip(others, values, strict=True)
        )
        groups.setdefault(label, []).append(row)
    return groups


def clip_range(kpi: str) -> tuple[float, float]:
    """Where the values of ``kpi`` can lie: [0, 1] for a share, [0, inf) otherwise (every
    KPI a run reports is non-negative; a t-interval of few replications may not be)."""
    share = kpi.rsplit(".", 1)[-1] in SHARES
    return 0.0, (1.0 if share else math.inf)


def plot_kpi(
    content: dict[str, Any], kpi: str, parameter: str, path: str | os.PathLike[str]
) -> Path:
    """``kpi`` against ``parameter``: the mean of each point with its 95% CI, as lines
    with light bands on a grid of few series, else as points with error bars. The CIs are
    clipped to where the KPI can lie (:func:`clip_range`); axes are labelled with the
    station or material, the quantity and its unit."""
    figure, axes = new_figure()
    groups = _series(content, parameter)
    numeric = all(not math.isnan(_number(r["parameters"][parameter])) for r in content["rows"])
    lines = content["design"] == "grid" and len(groups) <= MAX_SERIES and numeric
    labels = sorted({str(r["parameters"][parameter]) for r in content["rows"]})
    lowest, highest = clip_range(kpi)
    for label, rows in groups.items():
        if numeric:
            rows = sorted(rows, key=lambda r: _number(r["parameters"][parameter]))
            x = np.array([_number(r["parameters"][parameter]) for r in rows])
        else:
            x = np.array([labels.index(str(r["parameters"][parameter])) for r in rows], dtype=float)
        mean = np.array([_number(r["kpis"][kpi]["mean"]) for r in rows])
        low = np.array([(r["kpis"][kpi]["ci95"] or [np.nan])[0] for r in rows], dtype=float)
        high = np.array(
            [(r["kpis"][kpi]["ci95"] or [np.nan, np.nan])[1] for r in rows], dtype=float
        )
        low, high = np.clip(low, lowest, highest), np.clip(high, lowest, highest)
        name = label or "simulation"
        if lines:
            (drawn,) = axes.plot(x, mean, marker="o", markersize=4, linewidth=1.8, label=name)
            color = drawn.get_color()
            if len(groups) <= 2:  # more light fills would pile up into a dark one
                axes.fill_between(x, low, high, color=color, alpha=0.1, linewidth=0)
            for edge in (low, high):  # the band's edges, thin, so overlapping bands read
                axes.plot(x, edge, color=color, linewidth=0.7, linestyle=":", alpha=0.8)
        else:
            below = np.where(np.isnan(low), 0, mean - low)
            above = np.where(np.isnan(high), 0, high - mean)
            axes.errorbar(
                x,
                mean,
                yerr=[below, above],
                fmt="o",
                markersize=4,
                capsize=3,
                label=name if len(groups) <= MAX_SERIES else None,
            )
    if not numeric:
        axes.set_xticks(range(len(labels)), labels)
    else:
        values = sorted({_number(r["parameters"][parameter]) for r in content["rows"]})
        if 1 < len(values) <= 12:  # the swept values themselves
            axes.set_xticks(values, [f"{v:,.10g}" for v in values])
        else:
            thousands(axes.xaxis)
    if not content["rows"]:
        no_data(axes)
    if lowest == 0.0 and highest == 1.0:
        axes.set_ylim(max(axes.get_ylim()[0], -0.02), min(axes.get_ylim()[1], 1.02))
    elif axes.get_ylim()[0] < 0:
        axes.set_ylim(bottom=0)
    x_label = parameter_label(parameter, _parameter_unit(content, parameter))
    y_label = kpi_label(kpi, _kpi_unit(content, kpi))
    axes.set_xlabel(x_label)
    axes.set_ylabel(f"{y_label} (mean, 95% CI)")
    band = ", dotted: 95% CI" if lines else ""
    axes.set_title(
        _title(content, f"{kpi_label(kpi, None)} against {parameter_label(parameter, None)}")
        + f"\ncommon random numbers at every point{band}",
        loc="left",
    )
    axes.grid(color="0.9")
    if len(groups) > 1 and len(groups) <= MAX_SERIES:
        axes.legend(loc="best", fontsize=8)
    return save_figure(figure, path)


def plot_conwip(content: dict[str, Any], path: str | os.PathLike[str]) -> Path | None:
    """Throughput and flow time against WIP with the best case, the practical worst case
    and the worst case of Factory Physics (ch. 7); None if the curves do not apply."""
    bounds = content.get("bounds") or {}
    if "bottleneck_rate" not in bounds or not {"throughput", "flow_time"} <= set(content["kpis"]):
        return None
    line = LineBounds(bounds["bottleneck_rate"], bounds["raw_process_time"])
    rows = sorted(content["rows"], key=lambda r: _number(r["parameters"]["release.wip"]))
    wip = np.array([_number(r["parameters"]["release.wip"]) for r in rows])
    grid = np.linspace(max(1.0, float(np.nanmin(wip))), float(np.nanmax(wip)), 200)
    figure, (left, right) = new_figure(1, 2)
    unit = content.get("time_unit") or "time unit"
    for axes, kpi, column, label in (
        (left, "throughput", 0, f"throughput [jobs/{unit}]"),
        (right, "flow_time", 1, f"flow time [{unit}]"),
    ):
        for name, (color, style) in _CURVES.items():
            curve = {
                "best case": line.best,
                "practical worst case": line.practical_worst,
                "worst case": line.worst,
            }[name]
            axes.plot(
                grid, [curve(w)[column] for w in grid], color=color, linestyle=style, label=name
            )
        mean = np.array([_number(r["kpis"][kpi]["mean"]) for r in rows])
        low = np.array([(r["kpis"][kpi]["ci95"] or [np.nan])[0] for r in rows], dtype=float)
        high = np.array(
            [(r["kpis"][kpi]["ci95"] or [np.nan, np.nan])[1] for r in rows], dtype=float
        )
        axes.fill_between(wip, low, high, color="#1f77b4", alpha=0.25, linewidth=0)
        axes.plot(wip, mean, "o-", color="#1f77b4", markersize=4, label="simulation (95% CI)")
        axes.set_xlabel("WIP (CONWIP level) [jobs]")
        axes.set_ylabel(label)
        axes.grid(color="0.9")
        axes.set_ylim(bottom=0)
    # The flow-time axis reaches the simulated CIs (their means where a point has none)
    # and the practical worst case; a window where no job finished has no flow time.
    simulated = high[np.isfinite(high)] if np.isfinite(high).any() else mean[np.isfinite(mean)]
    top = max(float(simulated.max()) if simulated.size else 0.0,
              line.practical_worst(float(grid[-1]))[1])  # fmt: skip
    right.set_ylim(top=1.15 * top)
    left.legend(loc="lower right", fontsize=8)
    left.set_title(
        _title(
            content,
            f"CONWIP: r_b = {line.bottleneck_rate:.4g}/{unit}, "
            f"T0 = {line.raw_process_time:.4g} {unit}, W0 = {line.critical_wip:.3g}",
        ),
        loc="left",
        fontsize=10,
    )
    return save_figure(figure, path)


def _title(content: dict[str, Any], what: str) -> str:
    done = f"{content['finished']} of {plural(content['points'], 'point')}"
    partial = ", PARTIAL" if content.get("partial") else ""
    return f"{content['sweep']}: {what} ({done}{partial})"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def write_sweep_plots(content: dict[str, Any], folder: str | os.PathLike[str]) -> list[Path]:
    """Write every KPI-against-parameter plot (at most :data:`MAX_PLOTS`) and the CONWIP
    plot where it applies; return the files."""
    folder = Path(folder)
    written = []
    conwip = plot_conwip(content, folder / "conwip.png")
    if conwip is not None:
        written.append(conwip)
    for parameter in content["parameters"]:
        for kpi in content["kpis"]:
            if len(written) >= MAX_PLOTS:
                return written
            name = f"{_slug(kpi)}_vs_{_slug(parameter)}.png"
            written.append(plot_kpi(content, kpi, parameter, folder / name))
    return written
