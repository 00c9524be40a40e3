"""``linesim run SCENARIO``: replications of one scenario, KPIs with CIs, a results folder.

The command parses its options and calls :func:`sim.api.running.run`, the pipeline a
notebook's ``sim.run`` goes through: the results folder is checked (and locked for
``--out``) before simulating and published as one unit right after, and only then is
anything printed, so neither a broken console nor a second Ctrl-C can lose a finished run.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from rich.console import Console

from sim.api.running import ResultsNotWritten, run
from sim.api.setup import line_file_hint
from sim.cli.common import (
    EXIT_INTERRUPTED,
    add_executor_options,
    add_scenario_options,
    draw_published,
    overrides,
    progress,
)
from sim.errors import ConfigError, LinesimError
from sim.figures import plural
from sim.model import Scenario, load_scenario
from sim.report import print_summary
from sim.report.capacity import print_capacity
from sim.report.monthly_table import print_monthly
from sim.report.redraw import draw_run

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
        "--precision",
        type=float,
        metavar="PCT",
        help="add replications until each headline KPI's 95 %% CI half-width is within "
        "PCT %% of its mean (the scenario file's precision: block otherwise, unless "
        "--replications N is given)",
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


def _load(args: argparse.Namespace) -> Scenario:
    line_file_hint(args.scenario)
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
    """Run the scenario through :func:`sim.api.running.run` (which publishes the results
    folder before anything is printed), then print its summary."""
    scenario = _load(args)
    _check_options(args)
    with progress(console, args.quiet) as bar:
        tasks: list[Any] = []
        try:
            result = run(
                scenario,
                jobs=args.jobs,
                allow_long=args.allow_long,
                cluster=args.cluster,
                out=args.out or True,
                on_start=lambda name, total: (
                    bar.update(tasks[0], total=total)  # a further round of replications
                    if tasks
                    else tasks.append(bar.add_task(f"{name}: replications", total=total))
                ),
                on_done=lambda _index: bar.advance(tasks[0]),
                max_events=args.max_events,
                max_memory=args.max_memory,
                precision=args.precision,
            )
        except ResultsNotWritten as error:
            _print(scenario, error.run.summary, console)
            raise LinesimError(f"{error} (the KPIs are above)") from None
    out = result.folder
    assert out is not None  # run(out=...) always publishes or raises
    _print(scenario, result.summary, console)
    if result.precision is not None:
        console.print(f"replications: {result.precision.text()}", highlight=False)
    console.print(f"results: {out}")
    if result.previous is not None:
        console.print(f"previous results: {result.previous}")
    status = 0
    if not args.no_plots and result.replications:
        status = draw_published(out, console, lambda: draw_run(out), "report")
    if args.trace and result.replications:
        from sim.fit.trace import trace_to_folder  # the run is published: a trace is extra

        console.print(trace_to_folder(scenario, out, args.trace_limit))
    if result.partial:
        console.print(
            f"[yellow]interrupted:[/yellow] kept {len(result.replications)} of "
            f"{plural(scenario.replications, 'replication')}"
        )
        return EXIT_INTERRUPTED
    return status


def _print(scenario: Scenario, summary: dict[str, Any], console: Console) -> None:
    if summary["replications"]:
        print_summary(summary, console)
        print_capacity(scenario.line, summary, console)
        print_monthly(summary, console)
