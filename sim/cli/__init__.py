"""The ``linesim`` command: parse, call the API, print. Errors are one line, never a traceback.

Each subcommand lives in its own module with ``add_parser(commands)`` and
``handle(args, console) -> exit status``; :data:`COMMANDS` lists them in help order.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from rich.console import Console
from rich.markup import escape

from sim.cli import check, compare, fit, plot, run, schema, sweep, tune, validate
from sim.cli.common import EXIT_INTERRUPTED
from sim.errors import LinesimError

__all__ = ["COMMANDS", "main"]

COMMANDS: dict[str, ModuleType] = {
    "run": run,
    "compare": compare,
    "sweep": sweep,
    "tune": tune,
    "plot": plot,
    "validate": validate,
    "schema": schema,
    "fit": fit,
    "check": check,
}
"""Subcommand name -> module with ``add_parser`` and ``handle``."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linesim",
        description="Discrete-event simulation of production lines, from YAML.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``linesim`` and ``python -m sim``; returns the exit status."""
    args = _parser().parse_args(argv)
    # Rich draws 80 columns when not on a terminal; station tables need more.
    console = Console(width=None if sys.stdout.isatty() else 120)
    errors = Console(stderr=True)
    try:
        return int(COMMANDS[args.command].handle(args, console))
    except LinesimError as exc:
        for line in str(exc).splitlines():
            errors.print(f"[red]error:[/red] {escape(line)}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        errors.print("interrupted")
        return EXIT_INTERRUPTED
