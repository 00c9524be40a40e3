"""The ``linesim`` command: parse, call the API, print. Errors are one line, never a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.analysis.summary import build_summary
from sim.errors import ConfigError, LinesimError
from sim.experiment import default_jobs, run
from sim.model import load_scenario
from sim.model.overrides import parse_assignment
from sim.report import print_summary, write_results

__all__ = ["main"]

EXIT_INTERRUPTED = 130


def _time(text: str) -> float | str:
    """Read a command-line duration: a number in the line's unit or a string like '30 d'."""
    try:
        return float(text)
    except ValueError:
        return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linesim",
        description="Discrete-event simulation of production lines, from YAML.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run_cmd = commands.add_parser(
        "run", help="run a scenario's replications and write its results folder",
        description="Run a scenario and print its KPIs with 95%% confidence intervals.",
    )
    run_cmd.add_argument("scenario", help="scenario YAML (scenarios/*.yaml)")
    run_cmd.add_argument("--set", dest="overrides", action="append", default=[],
                         metavar="PATH=VALUE",
                         help="override a line value, e.g. stations.press.machines=2 (repeatable)")
    run_cmd.add_argument("--replications", type=int, metavar="N")
    run_cmd.add_argument("--seed", type=int, metavar="N")
    run_cmd.add_argument("--horizon", type=_time, metavar="T",
                         help="measured time: a number in the line's time unit or e.g. '30 d'")
    run_cmd.add_argument("--warmup", type=_time, metavar="T", help="discarded start time")
    run_cmd.add_argument("--jobs", type=int, metavar="N",
                         help=f"worker processes (default: cores, here {default_jobs()})")
    run_cmd.add_argument("--out", metavar="DIR", help="results folder (default results/<name>/)")
    run_cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    run_cmd.add_argument("--no-plots", action="store_true",
                         help="skip the PNG plots and report.html")
    plot_cmd = commands.add_parser(
        "plot", help="redraw the plots and report.html of a results folder",
        description="Redraw plots and report.html from saved results, without simulating.",
    )
    plot_cmd.add_argument("results", help="results folder holding summary.json")
    return parser


def _overrides(assignments: Sequence[str]) -> dict[str, Any]:
    return dict(parse_assignment(text) for text in assignments)


def _run(args: argparse.Namespace, console: Console) -> int:
    scenario = load_scenario(
        args.scenario, _overrides(args.overrides), replications=args.replications,
        seed=args.seed, horizon=args.horizon, warmup=args.warmup,
    )
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    out = Path(args.out) if args.out else Path("results") / scenario.name
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console,
        disable=args.quiet or not console.is_terminal, transient=True,
    ) as progress:
        task = progress.add_task(f"{scenario.name}: replications", total=scenario.replications)
        result = run(scenario, jobs=args.jobs,
                     on_done=lambda _index: progress.advance(task))
    summary = build_summary(result)
    if result.replications:
        print_summary(summary, console)
    written = write_results(result, summary, out)
    console.print(f"results: {written[-1]}")
    if not args.no_plots and result.replications:
        console.print(f"report: {_draw(out)}")
    if result.partial:
        console.print(f"[yellow]interrupted:[/yellow] kept {len(result.replications)} of "
                      f"{scenario.replications} replications")
        return EXIT_INTERRUPTED
    return 0


def _draw(folder: Path) -> Path:
    """Write the run plots and report.html of a results folder; return the report path."""
    from sim.report.html import write_report
    from sim.report.plots import load_results, write_run_plots

    data = load_results(folder)
    write_run_plots(folder, data)
    return write_report(folder, data)


def _plot(args: argparse.Namespace, console: Console) -> int:
    folder = Path(args.results)
    if not (folder / "summary.json").is_file():
        raise LinesimError(f"{folder}: no summary.json here; give a folder written by "
                           "linesim run")
    console.print(f"report: {_draw(folder)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``linesim`` and ``python -m sim``; returns the exit status."""
    args = _parser().parse_args(argv)
    # Rich draws 80 columns when not on a terminal; station tables need more.
    console = Console(width=None if sys.stdout.isatty() else 120)
    errors = Console(stderr=True)
    try:
        if args.command == "run":
            return _run(args, console)
        if args.command == "plot":
            return _plot(args, console)
    except LinesimError as exc:
        for line in str(exc).splitlines():
            errors.print(f"[red]error:[/red] {escape(line)}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        errors.print("interrupted")
        return EXIT_INTERRUPTED
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
