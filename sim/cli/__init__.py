"""The ``linesim`` command: parse, call the API, print. Errors are one line, never a traceback.

Each subcommand lives in its own module with ``add_parser(commands)`` and
``handle(args, console) -> exit status``; :data:`COMMANDS` lists them in help order.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from rich.markup import escape

from sim.cli import compare, plot, run, schema, sweep, tune, validate
from sim.cli.common import EXIT_INTERRUPTED
from sim.cli.console import make_consoles, release_stdout
from sim.errors import LinesimError
from sim.experiment.interrupts import ignore_further, stop_signals

__all__ = ["COMMANDS", "main"]

COMMANDS: dict[str, ModuleType] = {
    "run": run,
    "compare": compare,
    "sweep": sweep,
    "tune": tune,
    "plot": plot,
    "validate": validate,
    "schema": schema,
}
"""Subcommand name -> module with ``add_parser`` and ``handle``."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linesim",
        description="Discrete-event simulation of production lines, from YAML.",
    )
    parser.add_argument("--version", action="version", version=f"linesim {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(commands)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("linesim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``linesim`` and ``python -m sim``; returns the exit status.

    Errors are one line each on stderr (exit 2); Ctrl-C, SIGTERM or SIGHUP at any point
    end with "interrupted" and exit 130, never a traceback; a broken stdout is a
    warning, never a lost run (results are written before printing).
    """
    console, errors = make_consoles()
    try:
        with stop_signals():
            args = _parser().parse_args(argv)
            return int(COMMANDS[args.command].handle(args, console))
    except LinesimError as exc:
        for line in str(exc).splitlines():
            errors.print(f"[red]error:[/red] {escape(line)}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        ignore_further()
        errors.print("interrupted")
        return EXIT_INTERRUPTED
    finally:
        release_stdout()
