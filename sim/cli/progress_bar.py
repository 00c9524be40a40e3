"""The rich progress bar of a command run at a terminal.

Kept apart from :mod:`sim.cli.common` so that rich.progress is imported only when a bar
is shown: a run with ``--quiet``, or with stdout not a terminal, does not pay for it.
"""

from __future__ import annotations

import logging
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["EstimateColumn", "EstimatingProgress", "RateColumn", "progress_bar"]

ESTIMATE_FIELD = "linesim_estimate"
"""The log record attribute with a long run's estimated time (``sim.experiment.guards``
sets it on the warning it logs to the "linesim" logger before a long run)."""


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


class EstimateColumn(ProgressColumn):
    """The estimated time of a long run (``est. 9 min``: its CPU over the workers), empty
    for others."""

    def render(self, task: Task) -> Text:
        """Return the task's ``estimate`` field after ``est.``, or nothing."""
        estimate = task.fields.get("estimate")
        return Text(f"est. {estimate}" if estimate else "", style="progress.remaining")


class _Announcements(logging.Handler):
    """Takes the "linesim" logger's warnings while a bar is shown: prints each above the
    bar (a line on stderr would tear it) and keeps a long run's estimate for the bar."""

    def __init__(self, bar: EstimatingProgress) -> None:
        super().__init__(logging.WARNING)
        self.bar = bar

    def emit(self, record: logging.LogRecord) -> None:
        estimate = getattr(record, ESTIMATE_FIELD, None)
        if isinstance(estimate, str):
            self.bar.estimate = estimate
            for task in self.bar.tasks:  # the runs already shown are the ones estimated
                task.fields["estimate"] = estimate
        self.bar.console.print(
            f"[yellow]{record.levelname.lower()}:[/yellow] {record.getMessage()}",
            highlight=False,
            soft_wrap=True,
        )


class EstimatingProgress(Progress):
    """A rich progress bar that shows the work estimate a long run announces: tasks added
    after the announcement carry it in their ``estimate`` field."""

    estimate: str | None = None

    def __enter__(self) -> EstimatingProgress:
        self._logger = logging.getLogger("linesim")
        self._handler = _Announcements(self)
        self._logger.addHandler(self._handler)
        super().__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._logger.removeHandler(self._handler)
        super().__exit__(*exc)

    def add_task(self, description: str, *args: Any, **fields: Any) -> TaskID:
        """Add a task as rich does, with the latest estimate unless one is given."""
        if self.estimate is not None:
            fields.setdefault("estimate", self.estimate)
        return super().add_task(description, *args, **fields)


def progress_bar(console: Console) -> EstimatingProgress:
    """A transient bar with runs done, runs per second, elapsed and remaining time, and
    the estimate of a long run."""
    return EstimatingProgress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        EstimateColumn(),
        console=console,
        transient=True,
    )
