"""Shared look of linesim plots: size, state colours, number formats, saving, time periods.

Figures are :class:`matplotlib.figure.Figure` objects rendered by the Agg canvas, never
pyplot global state, so plotting is safe in threads and worker processes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.atomic import atomic_open
from sim.model.units import SECONDS_PER
from sim.report.colors import STATE_COLORS
from sim.report.numbers import format_number  # the one format: console, plots, HTML

__all__ = [
    "DPI",
    "FIGSIZE",
    "KPI_COLORS",
    "STATE_COLORS",
    "Period",
    "choose_period",
    "format_number",
    "new_figure",
    "no_data",
    "save_figure",
    "thousands",
    "title_text",
]

DPI = 160
"""Resolution of saved plots [dots per inch]."""
FIGSIZE = (10.0, 5.625)
"""Figure size [inch]: 1600 x 900 px at :data:`DPI`."""


KPI_COLORS: dict[str, str] = {
    "availability": "#9ecae1",
    "performance": "#6baed6",
    "quality": "#3182bd",
    "oee": "#08306b",
}
"""Colours of the OEE factors (light to dark blue, OEE darkest)."""


def new_figure(nrows: int = 1, ncols: int = 1, **subplot_kw: Any) -> tuple[Figure, Any]:
    """Return a 1600 x 900 px figure with constrained layout and its axes (array if several)."""
    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return figure, axes


def save_figure(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Save ``figure`` as a PNG of exactly :data:`FIGSIZE` x :data:`DPI` pixels.

    The file is written through :func:`sim.atomic.atomic_open` (the one atomic write)
    and carries no software version or date, so the
    same data give the same bytes.
    """
    target = Path(path)
    with atomic_open(target, binary=True) as stream:
        figure.savefig(stream, format="png", dpi=DPI, metadata={"Software": None})
    return target


def thousands(axis: Any) -> None:
    """Format the tick labels of ``axis`` (an x or y axis) with thousands separators."""
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.10g}"))


def title_text(summary: dict[str, Any], what: str) -> str:
    """Return the plot title: scenario, what is shown, replications and a partial notice."""
    reps = summary.get("replications", 0)
    text = f"{summary.get('scenario', '?')}: {what} ({reps} replication{'s' * (reps != 1)}"
    if summary.get("partial"):
        text += f", PARTIAL run: {reps} of {summary.get('replications_requested', '?')}"
    return text + ")"


@dataclass(frozen=True)
class Period:
    """A reporting period for output per period: name and length [time unit]."""

    name: str
    length: float


_PERIODS = (("hour", 3600.0), ("shift", 12 * 3600.0), ("day", 86400.0), ("week", 7 * 86400.0))
MAX_PERIODS = 100
"""At most this many periods are drawn as bars [-]."""


def choose_period(horizon: float, bin_width: float, n_bins: int, time_unit: str) -> Period:
    """Pick the period for output per period over a window of ``horizon`` [time unit].

    The shortest of hour, shift (12 h), day and week that gives at most
    :data:`MAX_PERIODS` periods (a week beyond that). If the bins of width ``bin_width``
    [time unit] are coarser than that period, the period is one bin; if the window holds
    fewer than two such periods, it is the fewest whole bins giving at most 50 periods.
    """
    seconds = SECONDS_PER.get(time_unit, 1.0)
    chosen = Period("week", _PERIODS[-1][1] / seconds)
    for name, length in _PERIODS:
        if horizon * seconds / length <= MAX_PERIODS:
            chosen = Period(name, length / seconds)
            break
    if bin_width > chosen.length * (1 + 1e-9):
        group = 1
    elif horizon >= 2 * chosen.length:
        return chosen
    else:
        group = next(k for k in range(1, n_bins + 1) if n_bins % k == 0 and n_bins / k <= 50)
    length = bin_width * group
    return Period(f"{format_number(length)} {time_unit}", length)


def no_data(axes: Axes, text: str = "no data") -> None:
    """Write ``text`` in the middle of empty ``axes``."""
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", color="0.4")
    axes.set_xticks([])
    axes.set_yticks([])
