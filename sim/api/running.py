"""``sim.run``: the one pipeline of a run, shared by ``linesim run`` and Python.

Load and check, lock and test the results folder before simulating, run the
replications on an executor, publish the folder as one unit under the signal shield,
then (optionally) draw and trace. ``linesim run`` parses its arguments, calls
:func:`run` and prints, so a run from a notebook and from the command line go through
the same checks and write the same folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

from sim.api.results import Run
from sim.api.setup import executor_for, folder_argument, scenario_for, settings_for
from sim.checks import check_jobs, check_overrides, check_positive, check_whole, precision_for
from sim.errors import LinesimError

__all__ = ["ResultsNotWritten", "run"]


class _Rounds:
    """The rounds of precision-driven replications as ``on_start`` calls: each round adds
    its replications to the total (a progress bar grows instead of restarting)."""

    def __init__(self, name: str, on_start: Callable[[str, int], None]) -> None:
        self.name, self.on_start, self.total = name, on_start, 0

    def start(self, _description: str, total: int) -> None:
        self.total += total
        self.on_start(self.name, self.total)

    def advance(self) -> None:
        """Counted by ``on_done``."""


class ResultsNotWritten(LinesimError):
    """A finished run whose results folder could not be written (a full disk, say);
    ``run`` holds the results, so a caller can still show them."""

    def __init__(self, message: str, run: Run) -> None:
        super().__init__(message)
        self.run = run


def run(
    scenario: str | os.PathLike[str] | Any,
    overrides: Mapping[str, Any] | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    horizon: float | str | None = None,
    warmup: float | str | None = None,
    jobs: int | None = 1,
    cluster: str | None = None,
    allow_long: bool = False,
    out: str | os.PathLike[str] | bool | None = None,
    plots: bool = False,
    on_start: Callable[[str, int], None] | None = None,
    on_done: Callable[[int], None] | None = None,
    max_events: int | None = None,
    max_memory: float | None = None,
    precision: float | bool | None = None,
) -> Run:
    """Run every replication of a scenario, as ``linesim run`` does.

    Work estimated above two hours of CPU is refused before it starts unless
    ``allow_long`` (the command line's ``--allow-long``).

    ``scenario`` is a scenario YAML or a loaded :class:`sim.Scenario`; ``overrides`` maps
    dotted paths to values (``{"release.wip": 8}``, applied after the file's ``set``);
    ``horizon`` and ``warmup`` are numbers in the line's time unit or strings such as
    ``"30 d"``; ``jobs`` worker processes (``None``: one per core; 1 runs here) or a Dask
    ``cluster`` address; ``out`` the results folder to write (``True``: a new
    ``results/<scenario>/<run id>/`` as ``linesim run`` makes; a previous run in a given
    folder is kept as ``<out>.previous``), checked and locked before simulating and
    published as one unit; ``plots`` also draws the PNGs and report.html there.
    ``on_start(scenario name, replications)`` and ``on_done(index)`` report progress;
    ``max_events`` [-] and ``max_memory`` [MB] (``inf``: no bound) bound each
    replication. Replication r draws from streams (seed, r, ...), so ``jobs`` never
    changes the numbers. On Ctrl-C (or SIGTERM) the finished replications are published
    and returned with ``partial=True``. ``precision`` [%] runs replications in rounds
    until every headline KPI's 95 % CI half-width is within it of its mean (a scenario
    file's ``precision:`` block does without it, unless ``replications`` is given;
    ``False`` keeps the fixed count); ``summary["precision"]`` says how many were needed.

    >>> result = sim.run("scenarios/penny_fab.yaml", {"release.wip": 8},
    ...                  replications=3, horizon=500, warmup=50)
    >>> result.summary["kpis"]["wip"]["mean"]
    8.0
    >>> list(result.to_frame().columns)
    ['mean', 'std', 'ci95_low', 'ci95_high', 'n', 'unit']
    """
    from sim.experiment.replicate import run as run_replications
    from sim.interrupts import ignore_further, shielded, stop_signals
    from sim.report.results import write_result_files
    from sim.report.run_folder import ResultsFolder

    settings = settings_for("run", replications, seed, horizon, warmup)
    jobs = check_jobs("run", jobs)
    events = check_whole("run", "max_events", max_events, 1, 2**63 - 1)
    memory = check_positive("run", "max_memory", max_memory, unbounded=True)
    target = folder_argument("run", out, "a new results/<scenario>/<run id>/")
    loaded = scenario_for("run", scenario, check_overrides("run", overrides), settings)
    loaded = replace(loaded, precision=precision_for("run", loaded.precision, precision))
    folder = ResultsFolder(loaded.name, target) if out is not None and out is not False else None
    with stop_signals(), folder if folder is not None else nullcontext():
        staging = folder.prepare() if folder is not None else None  # a write test and a lock
        rounds = _Rounds(loaded.name, on_start) if on_start and loaded.precision else None
        if on_start is not None and rounds is None:
            on_start(loaded.name, loaded.replications)
        with executor_for("run", jobs, cluster, allow_long) as executor:
            outcome = run_replications(
                loaded,
                executor=executor,
                on_done=on_done,
                max_events=events,
                max_memory=memory,
                progress=rounds,
            )
        result = Run(outcome.scenario, outcome.replications, outcome.partial, outcome.precision)
        if folder is None or staging is None:
            return result
        if result.partial:
            ignore_further()  # a second Ctrl-C must not cut the writing short
        try:
            with shielded():
                write_result_files(result, result.summary, staging)
                published = folder.publish()
        except OSError as error:
            folder.discard()
            raise ResultsNotWritten(
                f"results could not be written to {folder.target}: "
                f"{error.strerror or error}; nothing was kept there",
                result,
            ) from None
    done = replace(result, folder=published, previous=folder.previous)
    if plots and done.replications:
        from sim.report.redraw import draw_run

        draw_run(published)
    return done
