"""``linesim check LOG --scenario SCEN``: compare a scenario with an MES log (see
:mod:`sim.cli.fit`, which holds both commands)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from sim.cli.fit import add_check_parser, handle_check

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``check``."""
    add_check_parser(commands)


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the check and print it."""
    return handle_check(args, console)
