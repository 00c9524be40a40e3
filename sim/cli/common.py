"""Pieces shared by the subcommands: option readers, progress bars, drawing results."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sim.figures import count, elapsed, plural
from sim.model.overrides import parse_assignment

if TYPE_CHECKING:  # rich.progress is imported only when a bar is shown
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = [
    "EXIT_INTERRUPTED",
    "LogProgress",
    "QuietProgress",
    "add_executor_options",
    "add_run_length_options",
    "add_scenario_options",
    "draw_published",
    "overrides",
    "progress",
    "read_time",
]

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


def add_run_length_options(
    command: argparse.ArgumentParser, replications: str, source: str
) -> None:
    """Add --replications (help text ``replications``), --seed, --horizon and --warmup,
    which override what ``source`` says."""
    command.add_argument("--replications", type=int, metavar="N", help=replications)
    command.add_argument(
        "--seed", type=int, metavar="N", help=f"root random seed (overrides {source})"
    )
    command.add_argument(
        "--horizon",
        type=read_time,
        metavar="T",
        help="measured time: a number in the line's time unit or e.g. '30 d'",
    )
    command.add_argument("--warmup", type=read_time, metavar="T", help="discarded start time")
    command.add_argument(
        "--allow-long",
        action="store_true",
        help="run work estimated above two hours of CPU (refused by default, with the estimate)",
    )


def add_scenario_options(command: argparse.ArgumentParser, aimed: bool = False) -> None:
    """Add the options every scenario-running command takes (``aimed``: ``--set`` may
    name the scenario it is for, as ``compare`` allows)."""
    from sim.api.setup import default_jobs

    help_text = "override a line value, e.g. stations.press.machines=2 (repeatable)"
    if aimed:
        help_text = (
            "override a line value in every scenario, e.g. stations.press.machines=2, or "
            "in one: SCENARIO:PATH=VALUE, the scenario by its name or file stem, e.g. "
            "smart:release.wip=8 (repeatable; a scenario's own value wins)"
        )
    command.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="[SCENARIO:]PATH=VALUE" if aimed else "PATH=VALUE",
        help=help_text,
    )
    add_run_length_options(command, "replications (overrides the scenario)", "the scenario")
    command.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help=f"worker processes (default: cores, here {default_jobs()})",
    )
    command.add_argument(
        "--quiet", action="store_true", help="no progress bar (or progress lines in a log)"
    )
    command.add_argument(
        "--no-plots", action="store_true", help="skip the PNG plots and report.html"
    )


def add_executor_options(command: argparse.ArgumentParser, jobs: bool = True) -> None:
    """Add ``--jobs`` (unless ``jobs`` is false: already there) and ``--cluster``, shared
    by the commands that run many simulations."""
    from sim.api.setup import default_jobs

    if jobs:
        command.add_argument(
            "--jobs",
            type=int,
            metavar="N",
            help=f"worker processes (default: cores, here {default_jobs()})",
        )
    command.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run on a Dask scheduler, e.g. tcp://host:8786 (pip install 'linesim[cluster]')",
    )


class LogProgress:
    """Progress as plain lines, for a log file (stdout not a terminal): one line when a
    task advances past each :data:`LOG_STEP` of its total, at least every
    :data:`LOG_EVERY` seconds while work finishes, and at the end. The methods used of
    :class:`rich.progress.Progress`: ``add_task``, ``advance``, ``update``."""

    LOG_STEP = 0.1
    """Share of a task's total between two lines [-]."""
    LOG_EVERY = 30.0
    """Longest wait between two lines while work finishes [s]."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._tasks: dict[TaskID, dict[str, Any]] = {}
        self._added = 0

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None, **fields: Any) -> TaskID:
        """Start a task; return its id."""
        number = cast("TaskID", self._added)  # unique when a finished stage is removed
        self._added += 1
        now = time.monotonic()
        self._tasks[number] = {
            "description": description,
            "total": total,
            "done": 0.0,
            "start": now,
            "last": now,
            "step": -1,
            "unit": fields.get("unit", "runs"),
        }
        return number

    def update(self, task: TaskID, total: float | None = None, **_fields: Any) -> None:
        """Set a task's total."""
        if total is not None:
            self._tasks[task]["total"] = total

    def remove_task(self, task: TaskID) -> None:
        """Forget a task (a stage that is over; its last line was printed when it ended)."""
        self._tasks.pop(task, None)

    def advance(self, task: TaskID, amount: float = 1.0) -> None:
        """Count finished work; print a line when due."""
        state = self._tasks[task]
        state["done"] += amount
        now = time.monotonic()
        total = state["total"]
        step = int(state["done"] / total / self.LOG_STEP) if total else -1
        finished = bool(total) and state["done"] >= total
        if finished or step > state["step"] or now - state["last"] >= self.LOG_EVERY:
            state["step"], state["last"] = step, now
            units = str(state["unit"])
            counted = plural(total or state["done"], units.removesuffix("s"), units)
            done = count(state["done"])
            what = f"{done} of {counted}" if total else counted
            self.console.print(
                f"{state['description']}: {what} done after {elapsed(now - state['start'])}",
                highlight=False,
                soft_wrap=True,
            )


class QuietProgress:
    """No progress at all (``--quiet``), with the methods of :class:`LogProgress`."""

    def __init__(self) -> None:
        self._added = 0

    def __enter__(self) -> QuietProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None, **fields: Any) -> TaskID:
        """Return a new task id; nothing is shown."""
        self._added += 1
        return cast("TaskID", self._added - 1)

    def update(self, task: TaskID, total: float | None = None, **_fields: Any) -> None:
        """Nothing to show."""

    def remove_task(self, task: TaskID) -> None:
        """Nothing to forget."""

    def advance(self, task: TaskID, amount: float = 1.0) -> None:
        """Nothing to show."""


def progress(console: Console, quiet: bool) -> Progress | LogProgress | QuietProgress:
    """A progress bar with runs done, runs per second, elapsed and remaining time; when
    stdout is not a terminal, progress lines (:class:`LogProgress`) so a log shows life;
    nothing with ``quiet``."""
    if quiet:
        return QuietProgress()
    if not console.is_terminal:
        return LogProgress(console)
    from sim.cli.progress_bar import progress_bar

    return progress_bar(console)


def draw_published(out: Path, console: Console, draw: Callable[[], Path], label: str) -> int:
    """Draw the plots and report of a published folder ``out`` and print ``label: path``;
    an interrupt or a failure here leaves the results complete and says how to draw them
    later (exit status 130 after an interrupt, else 0)."""
    from sim.interrupts import ignore_further

    try:
        console.print(f"{label}: {draw()}", highlight=False, soft_wrap=True)
    except KeyboardInterrupt:
        ignore_further()
        console.print(f"[yellow]interrupted while drawing:[/yellow] linesim plot {out} redraws")
        return EXIT_INTERRUPTED
    except OSError as error:
        console.print(
            f"[yellow]warning:[/yellow] plots not written ({error.strerror or error}); "
            f"the results are complete: linesim plot {out} redraws them"
        )
    return 0
