"""The rich progress bar of a command run at a terminal.

Kept apart from :mod:`sim.cli.common` so that rich.progress is imported only when a bar
is shown: a run with ``--quiet``, or with stdout not a terminal, does not pay for it.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["RateColumn", "progress_bar"]


class RateColumn(ProgressColumn):
    """Runs finished per second, over the recent past."""

    def render(self, task: Task) -> Text:
        """Return e.g. '12.5 runs/s' ('- runs/s' before the first runs finish); a task
        added with ``unit="trials"`` counts trials instead."""
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "runs")
        return Text(
            f"- {unit}/s" if speed is None else f"{speed:,.1f} {unit}/s",
            style="progress.data.speed",
        )


def progress_bar(console: Console) -> Progress:
    """A transient bar with runs done, runs per second, elapsed and remaining time."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
