"""``linesim run SCENARIO``: replications of one scenario, KPIs with CIs, a results folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.analysis.summary import build_summary
from sim.cli.common import EXIT_INTERRUPTED, add_scenario_options, draw, overrides, progress
from sim.errors import ConfigError
from sim.experiment import run
from sim.model import load_scenario
from sim.report import print_summary, write_results
from sim.report.results import check_results_folder

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``run``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run a scenario's replications and write its results folder",
        description="Run a scenario and print its KPIs with 95%% confidence intervals.",
    )
    command.add_argument("scenario", help="scenario YAML (scenarios/*.yaml)")
    add_scenario_options(command)
    command.add_argument("--out", metavar="DIR", help="results folder (default results/<name>/)")
    command.add_argument(
        "--max-events",
        type=int,
        metavar="N",
        help="stop a replication after N simulation events (default: no "
        "bound), a guard against runs that would take hours",
    )
    command.add_argument(
        "--max-memory",
        type=float,
        metavar="MB",
        help="stop a replication whose process passes MB of memory (default: no bound)",
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


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the scenario, print its summary, write the results folder."""
    scenario = load_scenario(
        args.scenario,
        overrides(args.overrides),
        replications=args.replications,
        seed=args.seed,
        horizon=args.horizon,
        warmup=args.warmup,
    )
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    if args.max_events is not None and args.max_events < 1:
        raise ConfigError("--max-events must be >= 1")
    if args.max_memory is not None and args.max_memory <= 0:
        raise ConfigError("--max-memory must be > 0 [MB]")
    out = Path(args.out) if args.out else Path("results") / scenario.name
    check_results_folder(out, scenario)
    with progress(console, args.quiet) as bar:
        task = bar.add_task(f"{scenario.name}: replications", total=scenario.replications)
        result = run(
            scenario,
            jobs=args.jobs,
            on_done=lambda _index: bar.advance(task),
            max_events=args.max_events,
            max_memory=args.max_memory,
        )
    summary = build_summary(result)
    if result.replications:
        print_summary(summary, console)
    written = write_results(result, summary, out)
    console.print(f"results: {written[-1]}")
    if not args.no_plots and result.replications:
        console.print(f"report: {draw(out)}")
    if args.trace:
        from sim.fit.trace import trace_to_folder

        console.print(trace_to_folder(scenario, out, args.trace_limit))
    if result.partial:
        console.print(
            f"[yellow]interrupted:[/yellow] kept {len(result.replications)} of "
            f"{scenario.replications} replications"
        )
        return EXIT_INTERRUPTED
    return 0
