"""The ``linesim`` command: parse, call the API, print. Errors are one line, never a traceback.

Each subcommand lives in its own module ``sim.cli.<name>`` with ``add_parser(commands)`` and
``handle(args, console) -> exit status``; :data:`COMMANDS` lists them in help order with
their one-line help. Only the module of the command given is imported, so ``linesim --help``
and ``linesim validate`` do not pay for matplotlib, Optuna or Dask; rich is imported once
the arguments are parsed. To add a command, add its module and one line to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from types import ModuleType
from typing import Any

from sim.cli.process import before_exit, startup
from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.interrupts import ignore_further, stop_signals

__all__ = ["COMMANDS", "EXIT_INTERRUPTED", "command_module", "main"]

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT); the same as :data:`sim.cli.common.EXIT_INTERRUPTED`."""

COMMANDS: dict[str, str] = {
    "run": "run a scenario's replications and write its results folder",
    "compare": "compare scenarios on common random numbers (paired CIs, claim verdict)",
    "sweep": "run a scenario over a grid or Latin hypercube of parameter values",
    "tune": "search line parameters with Optuna (objectives, constraints, pruning)",
    "size": "the fewest machines (and soak space) that meet a target output",
    "plot": "redraw the plots and report.html of a results folder",
    "validate": "check line and scenario files; print every error and warning",
    "schema": "write JSON Schemas of line and scenario files, for editors",
    "draw": "draw a line file as an SVG diagram (no run)",
    "fit": "fit a line's times, failures and scrap to an MES event log",
    "check": "compare a scenario's simulated throughput and states with an MES log",
}
"""Subcommand name -> its help in ``linesim --help``; the command is ``sim.cli.<name>``."""


def command_module(name: str) -> ModuleType:
    """Import the module of subcommand ``name`` (``sim.cli.<name>``)."""
    return importlib.import_module(f"sim.cli.{name}")


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line: the first word that is not an option."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser with the chosen subcommand's options; the others are listed by name and
    help only (argparse lists them in ``--help`` and in the error for an unknown one)."""
    parser = argparse.ArgumentParser(
        prog="linesim",
        description="Discrete-event simulation of production lines, from YAML.",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _chosen(argv)
    for name, text in COMMANDS.items():
        if name == chosen:
            command_module(name).add_parser(commands)
        else:
            commands.add_parser(name, help=text, add_help=False)
    return parser


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked (importlib.metadata is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.pop("nargs", None)
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit", **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        sys.stdout.write(f"linesim {_version()}\n")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("linesim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _system_error(error: OSError) -> LinesimError:
    """One line for a file-system failure no command foresaw (a disk filling up, a
    folder removed while in use) instead of a traceback."""
    where = f"{os.fsdecode(error.filename)}: " if error.filename else ""
    return LinesimError(
        f"{where}{error.strerror or error}; check the path, its permissions and the free "
        "space, then run the command again"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``linesim`` and ``python -m sim``; returns the exit status.

    Errors are one line each on stderr (exit 2); Ctrl-C, SIGTERM or SIGHUP at any point
    end with "interrupted" and exit 130, never a traceback; a broken stdout is a
    warning, never a lost run (results are written before printing). Rich and the
    command's module are imported only after parsing, so ``--help`` answers at once.
    Without ``argv`` this is the ``linesim`` process, which ends when this returns: the
    process sets its BLAS threads and garbage collector (see :mod:`sim.cli.process`).
    """
    process = argv is None
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        with stop_signals():
            with startup(process):
                args = _parser(words).parse_args(words)
                from sim.cli.console import make_consoles

                console, errors = make_consoles()
            try:
                return int(command_module(args.command).handle(args, console))
            except (LinesimError, OSError) as exc:
                from rich.markup import escape

                error = _system_error(exc) if isinstance(exc, OSError) else _as_option(exc)
                for line in str(error).splitlines():
                    errors.print(
                        f"[red]error:[/red] {escape(line)}", highlight=False, soft_wrap=True
                    )
                return error.exit_code
    except KeyboardInterrupt:
        ignore_further()
        with suppress(OSError, ValueError):
            print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        console_module = sys.modules.get("sim.cli.console")
        if console_module is not None:
            console_module.release_stdout()
        before_exit(process)


_POSITIONAL = ("files", "file", "scenario", "folder")
"""``sim.api`` arguments that are positional on the command line (no ``--``)."""


def _as_option(error: LinesimError) -> LinesimError:
    """An error ``sim.api`` raised about one of its arguments (``sim.run(): horizon``) as
    the command-line option the user typed (``<command line>: --horizon``): the commands
    call the API, and the message must name what the user can change."""
    if isinstance(error, ConfigErrors):
        return ConfigErrors([_option_error(e) for e in error.errors])
    return _option_error(error) if isinstance(error, ConfigError) else error


def _option_error(error: ConfigError) -> ConfigError:
    from dataclasses import replace

    file = error.file or ""
    if not (file.startswith("sim.") and file.endswith("()")) or error.path in _POSITIONAL:
        return error
    return replace(error, file=None, path="--" + error.path.replace("_", "-"))
