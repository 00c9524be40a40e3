"""The ramp-up plot: good output and yield per month against the learning curves.

Drawn from ``summary.json``'s ``monthly`` block alone (:mod:`sim.analysis.monthly`), so
it never runs the engine. Top: good output per month [M Ah, or the output unit] with its
95 % CI and the target's monthly share when the line has one. Bottom: the first-pass
yield and the scrap yield per month [-] with their 95 % CIs, and the scrap yield the
curves predict (each month's mean from the curves' integral) as a step line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from sim.report.plot_style import new_figure, no_data, save_figure, title_text

__all__ = ["RAMP_PLOT", "plot_ramp_up"]

RAMP_PLOT = "ramp_up.png"
"""File name of the ramp-up plot in a run folder."""

_OUTPUT_COLOR = "#6baed6"
_YIELD_COLOR = "#08306b"
_SCRAP_YIELD_COLOR = "#2e9e44"
_CURVE_COLOR = "#d62728"
_TARGET_COLOR = "#555555"


def _series(months: list[dict[str, Any]], name: str, scale: float = 1.0) -> tuple[Any, Any]:
    """Means and CI half-widths (NaN where unknown) of KPI ``name`` per month."""
    means, errors = [], []
    for row in months:
        estimate = row["kpis"].get(name) or {}
        mean = estimate.get("mean")
        ci = estimate.get("ci95")
        means.append(np.nan if mean is None else mean / scale)
        errors.append(np.nan if ci is None or mean is None else (ci[1] - mean) / scale)
    return np.array(means, dtype=float), np.array(errors, dtype=float)


def plot_ramp_up(summary: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Draw ``ramp_up.png`` of a ramp-up run's ``summary`` into ``path``; return it."""
    monthly = summary.get("monthly") or {}
    months = monthly.get("months") or []
    units = monthly.get("units", {})
    figure, (top, bottom) = new_figure(2, 1, sharex=True, height_ratios=(1, 1))
    figure.suptitle(title_text(summary, "ramp-up by month"), fontweight="bold")
    if not months:
        no_data(top)
        no_data(bottom)
        return save_figure(figure, path)
    month_days = monthly.get("month_length", 730.0) * _days_per(monthly.get("time_unit", "h"))
    starts = np.array([row["start"] for row in months]) * _days_per(monthly["time_unit"])
    ends = np.array([row["end"] for row in months]) * _days_per(monthly["time_unit"])
    number = np.arange(1, len(months) + 1)
    # months are labelled 1, 2, ... at their centres; a short last month is drawn narrower
    width = 0.8 * (ends - starts) / month_days

    in_ah = any((row["kpis"].get("ah") or {}).get("mean") is not None for row in months)
    if in_ah:
        output, error = _series(months, "ah", 1e6)
        label, unit = "good cells", "M Ah"  # their capacity in Ah, not the line's
    else:
        output, error = _series(months, "output")
        label, unit = "good output", units.get("output", "units")
    top.bar(number, output, width=width, color=_OUTPUT_COLOR, label=f"{label} per month")
    if np.isfinite(error).any():
        top.errorbar(
            number, output, yerr=error, fmt="none", ecolor="black", capsize=3, label="95 % CI"
        )
    target = monthly.get("target_per_month")
    if in_ah and target:
        top.axhline(
            target / 1e6,
            linestyle=":",
            color=_TARGET_COLOR,
            linewidth=1.6,
            label=f"target {target / 1e6:.3g} M Ah / month",
        )
    top.set_ylabel(f"{label} [{unit} / month]")
    highest = np.nanmax(
        np.concatenate([output + np.nan_to_num(error), [target / 1e6 if in_ah and target else 0.0]])
    )
    top.set_ylim(0, 1.3 * highest)
    top.set_title("good output per month since the start of production", loc="left")
    top.legend(loc="upper left", fontsize="small", ncols=3)

    for name, color, text, shift in (
        ("yield", _YIELD_COLOR, "first-pass yield (simulated)", -0.12),
        ("scrap_yield", _SCRAP_YIELD_COLOR, "scrap yield (simulated, own scrap only)", 0.12),
    ):
        values, errors = _series(months, name)
        bottom.errorbar(
            number + shift,
            values,
            yerr=np.where(np.isfinite(errors), errors, 0.0),
            fmt="o",
            color=color,
            capsize=3,
            markersize=5,
            label=text,
        )
    curve = np.array([row.get("yield_curve", np.nan) for row in months], dtype=float)
    edges = np.append(number - 0.5, number[-1] + 0.5)
    bottom.stairs(
        curve,
        edges,
        baseline=None,
        color=_CURVE_COLOR,
        linewidth=1.8,
        label="scrap yield the curves predict (month's mean)",
    )
    low = np.nanmin(np.concatenate([curve, _series(months, "yield")[0]]))
    bottom.set_ylim(max(0.0, low - 0.05), 1.0)
    bottom.set_ylabel("yield [-]")
    bottom.set_xlabel("month since the start of production [month = 365/12 d]")
    bottom.set_xticks(number)
    bottom.set_title("yield per month against the learning curves", loc="left")
    bottom.legend(loc="lower right", fontsize="small")
    bottom.grid(axis="y", linewidth=0.4, alpha=0.5)
    return save_figure(figure, path)


def _days_per(time_unit: str) -> float:
    """Days in one line time unit [d]."""
    return {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0}[time_unit]
