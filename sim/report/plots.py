"""Plots of a run's results folder (public entry point).

Plotting reads only the files of a results folder (``summary.json``, ``replications.csv``,
``stations.csv``, ``timeseries.csv``); it never runs the engine. Typical use::

    from sim.report.plots import write_run_plots
    paths = write_run_plots("results/penny_fab")   # throughput, states, wip, oee PNGs
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sim.report.plot_costs import has_costs, plot_cost_breakdown
from sim.report.plot_grades import GRADES_PLOT, grade_names, plot_grades
from sim.report.plot_ramp import RAMP_PLOT, plot_ramp_up
from sim.report.plot_run import plot_oee, plot_states, plot_throughput, plot_wip
from sim.report.run_data import RunData, TimeSeries, load_results

__all__ = [
    "RUN_PLOTS",
    "RunData",
    "TimeSeries",
    "load_results",
    "plot_oee",
    "plot_states",
    "plot_throughput",
    "plot_wip",
    "write_run_plots",
]

RUN_PLOTS: dict[str, Callable[[RunData, Path], Path]] = {
    "throughput.png": plot_throughput,
    "states.png": plot_states,
    "wip.png": plot_wip,
    "oee.png": plot_oee,
}
"""File name and function of each run plot, in report order."""


def write_run_plots(folder: str | os.PathLike[str], data: RunData | None = None) -> list[Path]:
    """Write every run plot (:data:`RUN_PLOTS`) into ``folder``; return their paths.

    ``data`` defaults to :func:`load_results` of ``folder`` (pass it to avoid reading twice).
    """
    data = data if data is not None else load_results(folder)
    paths = [plot(data, Path(folder) / name) for name, plot in RUN_PLOTS.items()]
    if has_costs(data.summary.get("kpis", {})):
        paths.append(
            plot_cost_breakdown(
                data.summary, Path(folder) / "costs.png", data.summary.get("currency", "EUR")
            )
        )
    if grade_names(data.summary.get("kpis", {})):  # a line that grades its cells
        paths.append(plot_grades(data.summary, Path(folder) / GRADES_PLOT))
    if data.summary.get("monthly"):  # a ramp-up run
        paths.append(plot_ramp_up(data.summary, Path(folder) / RAMP_PLOT))
    return paths
