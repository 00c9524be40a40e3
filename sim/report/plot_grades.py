"""The output of a grading line by grade: what each grade (A, B, C...) makes a year, its
share of the units graded, and its value, from ``summary.json`` alone.

Panels: good output a year by grade (Ah with a product, else the grading station's units),
with the 95 % interval of the replications (none with one); the share of the units graded
in each grade and rejected below the lowest grade [%]; and each grade's value a year
[currency / year] when the grades carry a value; with a product mix graded after its
release, each type's share of its good graded units in each grade [%], a bar group per
type. It never runs the engine.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.ticker import PercentFormatter

from sim.report.plot_style import format_number, new_figure, save_figure, title_text

__all__ = ["GRADES_PLOT", "grade_names", "plot_grades", "type_names"]

GRADES_PLOT = "grades.png"
"""File name of the plot in a results folder."""

_COLORS = ("#1f3b73", "#3182bd", "#9ecae1", "#fdae6b", "#e6550d", "#a63603")
"""Colour of the grades, best first (more grades repeat them)."""

_REJECT_COLOR = "#b00020"


def grade_names(kpis: dict[str, Any]) -> list[str]:
    """The grades of a summary's KPIs, best first (empty when the line does not grade)."""
    return [name.split(".", 1)[1] for name in kpis if name.startswith("grade_share.")]


def type_names(kpis: dict[str, Any], grade: str) -> list[str]:
    """The types with a share of ``grade`` in a summary's KPIs (``product.<type>.grade.
    <grade>.share``), in its order (empty without grades by type)."""
    tail = f".grade.{grade}.share"
    return [name[len("product.") : -len(tail)] for name in kpis if name.endswith(tail)]


def _type_shares(axes: Any, grades: list[str], types: list[str], kpis: dict[str, Any]) -> None:
    """Bars of each type's grade shares [%], one group per type, a colour per grade,
    with their 95 % intervals."""
    width = 0.8 / len(grades)
    positions = np.arange(len(types))
    for index, grade in enumerate(grades):
        rows = [_estimate(kpis, f"product.{name}.grade.{grade}.share") for name in types]
        means = np.array([row[0] for row in rows]) * 100.0
        below = means - np.array([row[1] for row in rows]) * 100.0
        above = np.array([row[2] for row in rows]) * 100.0 - means
        spread = bool(np.nansum(below + above) > 0)
        axes.bar(
            positions + (index - (len(grades) - 1) / 2) * width,
            means,
            width,
            color=_COLORS[index % len(_COLORS)],
            yerr=[below, above] if spread else None,
            capsize=3,
            ecolor="0.3",
            label=grade,
        )
    axes.set_xticks(positions, types)
    axes.set_ylim(0, 105)
    axes.yaxis.set_major_formatter(PercentFormatter())
    axes.set_xlabel("type [-]")
    axes.set_ylabel("share of the type's good graded units [%]")
    axes.legend(title="grade", fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
    axes.grid(axis="y", color="0.9")
    axes.set_axisbelow(True)


def _estimate(kpis: dict[str, Any], name: str) -> tuple[float, float, float, str]:
    """Mean, CI low, CI high and unit of KPI ``name`` (NaN where missing)."""
    estimate = kpis.get(name) or {}
    mean = estimate.get("mean")
    value = math.nan if mean is None else float(mean)
    ci = estimate.get("ci95") or [None, None]
    low = value if ci[0] is None else float(ci[0])
    high = value if ci[1] is None else float(ci[1])
    return value, low, high, str(estimate.get("unit") or "-")


def _scaled(unit: str, values: list[float]) -> tuple[float, str]:
    """A divisor and the unit it gives, so that the largest value reads below 10,000."""
    top = max((abs(v) for v in values if not math.isnan(v)), default=0.0)
    if top >= 1e9:
        return 1e9, f"G {unit}"
    if top >= 1e6:
        return 1e6, f"M {unit}"
    if top >= 1e4:
        return 1e3, f"k {unit}"
    return 1.0, unit


def _bars(axes: Any, grades: list[str], kpis: dict[str, Any], head: str, what: str) -> None:
    """Bars of ``<head>.<grade>`` with their 95 % intervals, labelled with value and unit."""
    rows = [_estimate(kpis, f"{head}.{grade}") for grade in grades]
    unit = rows[0][3]
    divisor, shown = _scaled(unit, [row[0] for row in rows])
    means = np.array([row[0] for row in rows]) / divisor
    below = means - np.array([row[1] for row in rows]) / divisor
    above = np.array([row[2] for row in rows]) / divisor - means
    colors = [_COLORS[index % len(_COLORS)] for index in range(len(grades))]
    spread = bool(np.nansum(below + above) > 0)  # one replication: no interval to draw
    errors = [below, above] if spread else None
    axes.bar(grades, means, color=colors, yerr=errors, capsize=6, ecolor="0.3")
    for index, value in enumerate(means):
        if not math.isnan(value):
            axes.annotate(
                format_number(value),
                (index, value),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                fontsize=9,
            )
    top = max((v for v in means + above if not math.isnan(v)), default=0.0)
    if top > 0:
        axes.set_ylim(0, top * 1.1)  # room for the labels above the bars
    axes.set_xlabel("grade [-]")
    axes.set_ylabel(f"{what} [{shown}]")
    axes.grid(axis="y", color="0.9")
    axes.set_axisbelow(True)


def plot_grades(summary: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write the output-by-grade plot of a run's ``summary`` to ``path``; return it."""
    kpis = summary.get("kpis", {})
    grades = grade_names(kpis)
    ci = " (95 % CI)" if int(summary.get("replications", 0)) > 1 else ""
    valued = [g for g in grades if f"grade_value.{g}" in kpis]
    types = type_names(kpis, grades[0]) if grades else []
    count = 2 + bool(valued) + bool(types)
    figure, axes = new_figure(2, 2) if count == 4 else new_figure(1, count)
    panels = list(np.ravel(axes))
    output, shares = panels[0], panels[1]
    if grades and f"ah_per_year.{grades[0]}" in kpis:
        _bars(output, grades, kpis, "ah_per_year", "good output a year")
        output.set_title(f"good output, nominal Ah{ci}", loc="left")
    else:
        _bars(output, grades, kpis, "graded", "units graded in the window")
        output.set_title(f"good units{ci}", loc="left")
    share = [_estimate(kpis, f"grade_share.{g}")[0] for g in grades]
    rejected = max(0.0, 1.0 - math.fsum(s for s in share if not math.isnan(s)))
    names = [*grades, "rejected"]
    values = np.array([*share, rejected]) * 100.0
    colors = [_COLORS[index % len(_COLORS)] for index in range(len(grades))] + [_REJECT_COLOR]
    shares.bar(names, values, color=colors)
    for index, value in enumerate(values):
        shares.annotate(
            f"{value:.2f} %",
            (index, value),
            textcoords="offset points",
            xytext=(0, 4),
            ha="center",
            fontsize=9,
        )
    shares.set_ylim(0, max(float(values.max()), 1.0) * 1.1)
    shares.yaxis.set_major_formatter(PercentFormatter())
    shares.set_xlabel("grade [-]")
    shares.set_ylabel("share of the units graded [%]")
    shares.set_title("yield by grade", loc="left")
    shares.grid(axis="y", color="0.9")
    shares.set_axisbelow(True)
    if valued:
        _bars(panels[2], valued, kpis, "grade_value", "value a year")
        panels[2].set_title(f"value of the output{ci}", loc="left")
    if types:
        _type_shares(panels[-1], grades, types, kpis)
        panels[-1].set_title(f"grades by type{ci}", loc="left")
    figure.suptitle(title_text(summary, "output by grade"), fontweight="bold")
    return save_figure(figure, path)
