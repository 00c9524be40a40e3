"""``linesim run SCENARIO``: replications of one scenario, KPIs with CIs, a results folder.

Order matters: the results folder is checked (and locked for ``--out``) before simulating,
the files are published as one unit right after, and only then is anything printed, so
neither a broken console nor a second Ctrl-C can lose a finished run.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.analysis.summary import build_summary
from sim.cli.common import (
    EXIT_INTERRUPTED,
    add_executor_options,
    add_scenario_options,
    draw_published,
    overrides,
    progress,
)
from sim.errors import ConfigError, LinesimError
from sim.experiment import run
from sim.experiment.executors import make_executor
from sim.experiment.interrupts import ignore_further, shielded, stop_signals
from sim.model import Scenario, load_scenario
from sim.model.loader import read_yaml
from sim.report import print_summary
from sim.report.capacity import print_capacity
from sim.report.redraw import draw_run
from sim.report.results import write_result_files
from sim.report.run_folder import ResultsFolder

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``run``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run a scenario's replications and write its results folder",
        description="Run a scenario and print its KPIs with 95% confidence intervals. "
        "Each run gets its own folder results/<scenario>/<run id>/, and "
        "results/<scenario>/LATEST names the newest.",
    )
    command.add_argument("scenario", help="scenario YAML (scenarios/*.yaml)")
    add_scenario_options(command)
    add_executor_options(command, jobs=False)
    command.add_argument(
        "--out",
        metavar="DIR",
        help="results folder (default: a new results/<scenario>/<run id>/); a previous "
        "run in DIR is kept as DIR.previous",
    )
    command.add_argument(
        "--max-events",
        type=int,
        metavar="N",
        help="stop a replication after N simulation events (default: no bound while "
        "running; a run expected to pass 2e9 events is refused before it starts)",
    )
    command.add_argument(
        "--max-memory",
        type=float,
        metavar="MB",
        help="stop a replication whose process passes MB of memory (default: half the "
        "available memory shared by the workers; inf: no bound)",
    )
    command.add_argument(
        "--trace",
        action="store_true",
        help="also write the event log of replication 1 (DIR/trace.parquet, or trace.csv "
        "without pyarrow) in the format linesim fit reads",
    )
    command.add_argument(
        "--trace-limit",
        type=int,
        default=None,
        metavar="N",
        help="rows the trace keeps at most (default 10,000,000); it stops at that time",
    )


def _line_file_hint(path: str) -> None:
    """Refuse a line file given where a scenario belongs, showing a scenario to save."""
    try:
        raw, _ = read_yaml(path)
    except LinesimError:
        return  # load_scenario reports it, located
    if not isinstance(raw, dict) or "line" in raw or "stations" not in raw:
        return
    here = Path(path)
    suggestion = Path("scenarios") / f"{here.stem}.yaml"
    line_ref = os.path.relpath(here.resolve(), suggestion.parent.resolve())
    unit = raw.get("time_unit", "h")
    raise LinesimError(
        f"{path} is a line, not a scenario: linesim run needs a scenario that names the "
        "line and how long to simulate it. Save these lines as "
        f"{suggestion} and run linesim run {suggestion}:\n"
        f"  line: {Path(line_ref).as_posix()}\n"
        f'  horizon: "30 d"    # measured time (bare numbers are in {unit})\n'
        f'  warmup: "3 d"      # discarded start\n'
        "  replications: 5"
    )


def _load(args: argparse.Namespace) -> Scenario:
    _line_file_hint(args.scenario)
    return load_scenario(
        args.scenario,
        overrides(args.overrides),
        replications=args.replications,
        seed=args.seed,
        horizon=args.horizon,
        warmup=args.warmup,
    )


def _check_options(args: argparse.Namespace) -> None:
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    if args.max_events is not None and args.max_events < 1:
        raise ConfigError("--max-events must be >= 1")
    if args.max_memory is not None and (math.isnan(args.max_memory) or args.max_memory <= 0):
        raise ConfigError("--max-memory must be > 0 [MB] (inf: no bound)")
    if args.trace_limit is not None and args.trace_limit < 1:
        raise ConfigError("--trace-limit must be >= 1 [rows]")


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the scenario, write its results folder, then print its summary."""
    scenario = _load(args)
    _check_options(args)
    folder = ResultsFolder(scenario.name, args.out)
    executor = make_executor(args.jobs, args.cluster)
    with stop_signals(), folder:
        staging = folder.prepare()  # before simulating: a write test and, for --out, a lock
        try:
            with progress(console, args.quiet) as bar:
                task = bar.add_task(f"{scenario.name}: replications", total=scenario.replications)
                result = run(
                    scenario,
                    executor=executor,
                    on_done=lambda _index: bar.advance(task),
                    max_events=args.max_events,
                    max_memory=args.max_memory,
                )
        finally:
            executor.close()
        summary = build_summary(result)
        if result.partial:
            ignore_further()  # a second Ctrl-C must not cut the writing short
        try:
            with shielded():
                write_result_files(result, summary, staging)
                out = folder.publish()
        except OSError as error:
            folder.discard()
            _print(scenario, summary, console)
            raise LinesimError(
                f"results could not be written to {folder.target}: "
                f"{error.strerror or error}; nothing was kept there (the KPIs are above)"
            ) from None
    _print(scenario, summary, console)
    console.print(f"results: {out}")
    if folder.previous is not None:
        console.print(f"previous results: {folder.previous}")
    status = 0
    if not args.no_plots and result.replications:
        status = draw_published(out, console, lambda: draw_run(out), "report")
    if args.trace and result.replications:
        from sim.fit.trace import trace_to_folder  # the run is published: a trace is extra

        console.print(trace_to_folder(scenario, out, args.trace_limit))
    if result.partial:
        console.print(
            f"[yellow]interrupted:[/yellow] kept {len(result.replications)} of "
            f"{scenario.replications} replications"
        )
        return EXIT_INTERRUPTED
    return status


def _print(scenario: Scenario, summary: dict[str, Any], console: Console) -> None:
    if summary["replications"]:
        print_summary(summary, console)
        print_capacity(scenario.line, summary, console)
