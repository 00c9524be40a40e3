"""``linesim schema [--out DIR]``: write the JSON Schemas of every kind of file (line,
scenario, sweep, tune, lever library: :mod:`sim.model.file_kinds`).

Point an editor at them for completion and checking as you type; with the YAML language
server, the first line of a line file reads
``# yaml-language-server: $schema=<DIR>/line.schema.json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.markup import escape

from sim.model.schema_export import write_schemas

__all__ = ["add_parser", "handle"]


def add_parser(commands: Any) -> None:
    """Register ``schema``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "schema",
        help="write JSON Schemas of line and scenario files, for editors",
        description="Write line.schema.json, scenario.schema.json, sweep.schema.json, "
        "tune.schema.json and levers.schema.json, for editors that complete and check YAML "
        "as you type (e.g. the YAML language server).",
    )
    command.add_argument(
        "--out", metavar="DIR", default="schemas", help="folder to write to (default: schemas/)"
    )


def handle(args: argparse.Namespace, console: Console) -> int:
    """Write the schemas and print their paths."""
    for path in write_schemas(args.out):
        console.print(f"wrote {escape(str(path))}", highlight=False, soft_wrap=True)
    return 0
