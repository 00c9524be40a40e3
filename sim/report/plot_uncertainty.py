"""Plots of an uncertainty study: the distribution of each reading's change with the
claimed line, and a tornado chart of what the verdict hinges on.

They read only the content of ``uncertainty.json``; they never run the engine.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from sim.figures import plural
from sim.report.labels import kpi_name, parameter_label
from sim.report.plot_style import new_figure, no_data, save_figure

__all__ = ["plot_change_histograms", "plot_tornado", "write_uncertainty_plots"]

_MET = "#2e9e44"
_SHORT = "#d62728"
_TITLE_WIDTH = 62
"""Longest line of a panel title [characters]: two panels side by side must fit."""


def _grid(count: int) -> tuple[int, int]:
    """Rows and columns of ``count`` panels: two columns at most, so long input names fit."""
    return (1, count) if count <= 2 else ((count + 1) // 2, 2)


def _short(name: str) -> str:
    """An input's name for an axis: ``tab-cover-welding: failures mttr``, ``effect of
    inline-inspection``."""
    if name.startswith("effect."):
        return "effect of " + name[len("effect.") :]
    return parameter_label(name, None)


def plot_change_histograms(study: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """One histogram per reading of the paired change over the input sets [%], the
    claimed change dashed, with the share of sets that meet the claim."""
    keys = list(study["readings"])
    rows, cols = _grid(len(keys))
    figure, axes = new_figure(rows, cols)
    flat = np.atleast_1d(axes).ravel()
    for axis, key in zip(flat, keys, strict=False):
        reading = study["readings"][key]
        changes = np.array(
            [s["changes"].get(key) for s in study["sets"] if s["changes"].get(key) is not None],
            dtype=float,
        )
        if not len(changes):
            no_data(axis, f"{key}: no change computed")
            continue
        claimed = reading["claimed_percent"]
        met = changes >= claimed if claimed >= 0 else changes <= claimed
        bins = np.histogram_bin_edges(changes, bins=min(30, max(5, len(changes) // 3)))
        axis.hist(changes[met], bins=bins, color=_MET, alpha=0.8, label="meets the claim")
        axis.hist(changes[~met], bins=bins, color=_SHORT, alpha=0.6, label="does not")
        axis.axvline(
            claimed, linestyle="--", color="black", linewidth=1.2, label=f"claimed {claimed:+g} %"
        )
        axis.set_title(
            textwrap.fill(
                f"{reading['reading']}: P(met) = {reading['probability_met']:.2f} "
                f"({reading['met']} of {plural(reading['n'], 'input set')})",
                _TITLE_WIDTH,
            ),
            loc="left",
            fontsize=9,
        )
        axis.set_xlabel(f"paired change of {kpi_name(reading['kpi'])} [%]")
        axis.set_ylabel("input sets [-]")
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole input sets
        axis.grid(color="0.9")
        axis.legend(loc="best", fontsize=8)
    for axis in flat[len(keys) :]:
        axis.set_visible(False)
    window = study["window"]
    figure.suptitle(
        f"{study['scenario']} vs {study['reference']} under input uncertainty: "
        f"{study['finished']} Latin hypercube input sets, {window['horizon']:g} "
        f"{window['time_unit']} window each",
        x=0.01,
        ha="left",
    )
    return save_figure(figure, path)


def plot_tornado(study: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Per reading, the inputs ranked by |standardized regression coefficient| [-]: what
    the verdict hinges on (positive: a higher input raises the change). Green bars move
    the change toward the claim (up for a claimed rise, down for a claimed cut), red ones
    away from it, so the colours mean the same on efficiency and cost panels."""
    keys = list(study["readings"])
    rows, cols = _grid(len(keys))
    figure, axes = new_figure(rows, cols)
    flat = np.atleast_1d(axes).ravel()
    for axis, key in zip(flat, keys, strict=False):
        ranked = [(n, v) for n, v in study["sensitivity"].get(key, {}).items() if v is not None]
        if not ranked:
            no_data(axis, f"{key}:\nno ranking (KPI missing, no spread\nor too few input sets)")
            continue
        ranked = ranked[:8][::-1]
        values = [v for _, v in ranked]
        toward = 1.0 if study["readings"][key].get("claimed_percent", 0) >= 0 else -1.0
        colours = [_MET if v * toward >= 0 else _SHORT for v in values]
        axis.barh(range(len(ranked)), values, color=colours)
        axis.set_yticks(range(len(ranked)), [_short(n) for n, _ in ranked], fontsize=8)
        axis.axvline(0, color="black", linewidth=0.8)
        r2 = study["sensitivity_fit"].get(key, {}).get("r2")
        fit = "" if r2 is None else f", R²\u00a0=\u00a0{r2:.2f}"  # no break inside
        claimed = study["readings"][key].get("claimed_percent", 0)
        title = textwrap.fill(
            f"{study['readings'][key]['reading']}; claimed\u00a0{claimed:+g}\u00a0%{fit}", 44
        )
        axis.set_title(title, loc="left", fontsize=9)
        axis.set_xlabel("SRC of the change [-]")
        axis.grid(axis="x", color="0.9")
    for axis in flat[len(keys) :]:
        axis.set_visible(False)
    figure.suptitle(
        "what the verdict hinges on (SRC on the Latin hypercube)\n"
        "green: a higher input moves the change toward the claim (up for a rise, down for "
        "a cut); red: away from it",
        x=0.01,
        ha="left",
    )
    return save_figure(figure, path)


def write_uncertainty_plots(folder: str | os.PathLike[str], study: dict[str, Any]) -> list[Path]:
    """Write ``uncertainty_changes.png`` and ``uncertainty_tornado.png``."""
    out = Path(folder)
    if not study.get("sets"):
        return []
    return [
        plot_change_histograms(study, out / "uncertainty_changes.png"),
        plot_tornado(study, out / "uncertainty_tornado.png"),
    ]
