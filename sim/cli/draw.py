"""``linesim draw LINE.yaml [--out DIR]``: the line diagram as SVG, without running anything.

The quickest check that a line file says what its author meant: stations, machines and
rates, buffers, merges and splits, drawn from the YAML alone. Given a scenario file, it
draws the scenario's line with its levers and overrides applied.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape

from sim.model import load_line, load_scenario
from sim.model.line import Line
from sim.model.loader import read_yaml
from sim.report.diagram import write_diagram

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``draw``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "draw",
        help="draw a line file as an SVG diagram (no run)",
        description="Write <line name>.svg: stations as boxes (machines x ideal rate), "
        "buffers and delays as tanks, arrows for the material flows.",
    )
    command.add_argument(
        "line", help="line YAML (configs/*.yaml), or a scenario YAML to draw its line"
    )
    command.add_argument(
        "--out", metavar="DIR", default=".", help="folder to write to (default: current folder)"
    )


def handle(args: argparse.Namespace, console: Console) -> int:
    """Load the line, write its diagram and print the path."""
    path = write_diagram(_line(args.line), args.out)
    console.print(f"wrote {escape(str(path))}", highlight=False, soft_wrap=True)
    return 0


def _line(path: str) -> Line:
    """The line of a line file, or of a scenario file (one with ``line:`` and no stations)."""
    data, _ = read_yaml(path)
    if "line" in data and "stations" not in data:
        return load_scenario(path).line
    return load_line(path)
