"""``linesim plot RESULTS``: redraw plots and report.html from saved results."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.cli.common import draw
from sim.errors import LinesimError

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``plot``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "plot",
        help="redraw the plots and report.html of a results folder",
        description="Redraw plots and report.html from saved results, without simulating.",
    )
    command.add_argument("results", help="results folder holding summary.json")


def handle(args: argparse.Namespace, console: Console) -> int:
    """Redraw the folder's plots."""
    folder = Path(args.results)
    if (folder / "comparison.json").is_file():
        from sim.report.plot_compare import write_comparison_plots  # matplotlib: not for --help

        content = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        for name in content["scenarios"]:
            if (folder / name / "summary.json").is_file():
                draw(folder / name)
        for path in write_comparison_plots(folder, content):
            console.print(f"plot: {path}")
        return 0
    if not (folder / "summary.json").is_file():
        raise LinesimError(
            f"{folder}: no summary.json or comparison.json here; give a "
            "folder written by linesim run or linesim compare"
        )
    console.print(f"report: {draw(folder)}")
    return 0
