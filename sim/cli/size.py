"""``linesim size LINE --target RATE``: the fewest machines that meet a target output.

Parses the command line, calls :func:`sim.api.sizing.size` (checks, folder lock, the
search, publishing) and prints its tables.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape

from sim.cli.common import add_executor_options, add_run_length_options, overrides

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``size``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "size",
        help="the fewest machines (and soak space) that meet a target output",
        description="Size a line to a target output: capacity arithmetic, then simulation "
        "until the lower 95 % bound of output meets the target, then a check that one "
        "machine fewer anywhere falls short. Writes DIR/sized.yaml (the line with its "
        "counts changed), DIR/scenario.yaml (runs it) and DIR/sizing.json.",
    )
    command.add_argument("file", help="line YAML (configs/*.yaml) or scenario YAML")
    command.add_argument(
        "--target",
        required=True,
        metavar="RATE",
        help="output with its unit: '300 M Ah/yr', '6 M cells/yr', '12000 modules/yr' or, "
        "in the line's finished units, '0.95 /h' (yr = the line's working year)",
    )
    command.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a line value before sizing, e.g. release.wip=16 (repeatable)",
    )
    add_run_length_options(
        command,
        "replications of each design (default: the scenario's, or 5 for a line)",
        "the scenario",
    )
    add_executor_options(command)
    command.add_argument(
        "--out", metavar="DIR", help="results folder (default results/<name>-sized/)"
    )
    command.add_argument("--quiet", action="store_true", help="do not print each design run")


def handle(args: argparse.Namespace, console: Console) -> int:
    """Size the line, write its folder, print the tables."""
    from sim.api.sizing import size
    from sim.errors import ConfigError
    from sim.report.sizing_files import print_sizing

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")

    def step(text: str) -> None:
        if not args.quiet:
            console.print(f"[dim]{escape(text)}[/dim]", highlight=False, soft_wrap=True)

    try:
        outcome = size(
            args.file,
            args.target,
            overrides(args.overrides),
            replications=args.replications,
            seed=args.seed,
            horizon=args.horizon,
            warmup=args.warmup,
            jobs=args.jobs,
            allow_long=args.allow_long,
            cluster=args.cluster,
            out=args.out or True,
            on_step=step,
        )
    except ConfigError as error:
        if error.file == "sim.size()" and error.path == "target":
            raise ConfigError(error.message, path="--target") from None
        raise
    print_sizing(outcome.content, console)
    for note in outcome.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)
    for path in outcome.files:
        console.print(f"written: {escape(str(path))}", highlight=False, soft_wrap=True)
    if outcome.previous is not None:
        console.print(f"previous sizing: {escape(str(outcome.previous))}", highlight=False)
    if outcome.folder is not None:
        console.print(
            f"run it: linesim run {escape(str(outcome.folder / 'scenario.yaml'))}",
            highlight=False,
            soft_wrap=True,
        )
    return 0
