"""``linesim plot RESULTS``: redraw plots and report.html from saved results."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``plot``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "plot",
        help="redraw the plots and report.html of a results folder",
        description="Redraw plots and report.html from saved results, without simulating.",
    )
    command.add_argument(
        "results",
        help="results folder: a run's folder, results/<scenario> (its newest run, named "
        "in LATEST) or a comparison folder",
    )


def handle(args: argparse.Namespace, console: Console) -> int:
    """Redraw the folder's plots."""
    from sim.report.redraw import redraw

    for path in redraw(str(args.results)):
        console.print(f"{'report' if path.name == 'report.html' else 'plot'}: {path}")
    return 0
