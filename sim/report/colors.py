"""Colours shared by the matplotlib plots and the SVG diagram (no matplotlib import here)."""

from __future__ import annotations

__all__ = ["BOTTLENECK_COLOR", "DELAY_COLOR", "STATE_COLORS"]

STATE_COLORS: dict[str, str] = {
    "busy": "#2e9e44",  # green
    "idle": "#d0d0d0",  # light grey (starved)
    "blocked": "#f28e2b",  # orange
    "down": "#d62728",  # red
    "setup": "#1f77b4",  # blue
    "minor_stop": "#bcbd22",  # olive
    "maintenance": "#9467bd",  # purple
    "off_shift": "#7f7f7f",  # dark grey
}
"""Colour of each machine state, in plots, the SVG diagram and the replay (here, so that the
diagram draws without importing matplotlib)."""

BOTTLENECK_COLOR = "#b00020"
"""Outline of the bottleneck station."""

DELAY_COLOR = "#9cc3e6"
"""Fill of a delay station (a soak or aging store, no machine states): its level in the
diagram and its occupancy bar in the station-state plot."""
