"""Pieces shared by the subcommands: option readers, progress bars, drawing results."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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

from sim.model.overrides import parse_assignment

__all__ = ["EXIT_INTERRUPTED", "add_scenario_options", "draw", "overrides", "progress", "read_time"]

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT)."""


def read_time(text: str) -> float | str:
    """Read a command-line duration: a number in the line's unit or a string like '30 d'."""
    try:
        return float(text)
    except ValueError:
        return text


def overrides(assignments: Sequence[str]) -> dict[str, Any]:
    """Turn repeated ``--set PATH=VALUE`` options into a dict of dotted overrides."""
    return dict(parse_assignment(text) for text in assignments)


def add_scenario_options(command: argparse.ArgumentParser) -> None:
    """Add the options every scenario-running command takes."""
    from sim.experiment import default_jobs

    command.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a line value, e.g. stations.press.machines=2 (repeatable)",
    )
    command.add_argument("--replications", type=int, metavar="N")
    command.add_argument("--seed", type=int, metavar="N")
    command.add_argument(
        "--horizon",
        type=read_time,
        metavar="T",
        help="measured time: a number in the line's time unit or e.g. '30 d'",
    )
    command.add_argument("--warmup", type=read_time, metavar="T", help="discarded start time")
    command.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help=f"worker processes (default: cores, here {default_jobs()})",
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.add_argument(
        "--no-plots", action="store_true", help="skip the PNG plots and report.html"
    )


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


def progress(console: Console, quiet: bool) -> Progress:
    """A progress bar with runs done, runs per second, elapsed and remaining time."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
        transient=True,
    )


def draw(folder: Path) -> Path:
    """Write the run plots and report.html of a results folder; return the report path."""
    from sim.report.html import write_report
    from sim.report.plots import load_results, write_run_plots

    data = load_results(folder)
    write_run_plots(folder, data)
    return write_report(folder, data)
