"""``linesim plot RESULTS``: redraw plots and report.html from saved results."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.cli.common import draw
from sim.errors import LinesimError
from sim.report.run_folder import follow_latest

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


def _comparison(folder: Path) -> dict[str, Any]:
    path = folder / "comparison.json"
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise LinesimError(f"{path}: cannot be read as JSON ({error})") from None
    if not isinstance(content, dict) or not isinstance(content.get("scenarios"), list):
        raise LinesimError(f"{path}: not a linesim comparison (no list 'scenarios')")
    return content


def handle(args: argparse.Namespace, console: Console) -> int:
    """Redraw the folder's plots."""
    given = str(args.results)
    if "\0" in given:
        raise LinesimError(f"{given!r}: a path cannot hold a NUL character")
    folder = Path(given)
    try:
        if not folder.exists():
            raise LinesimError(
                f"{folder}: no such folder; give a folder written by linesim run or compare"
            )
        if (folder / "comparison.json").is_file():
            from sim.report.plot_compare import write_comparison_plots  # matplotlib

            content = _comparison(folder)
            for name in content["scenarios"]:
                if isinstance(name, str) and (folder / name / "summary.json").is_file():
                    draw(folder / name)
            for path in write_comparison_plots(folder, content):
                console.print(f"plot: {path}")
            return 0
        run = follow_latest(folder)
        console.print(f"report: {draw(run)}")
    except OSError as error:  # a symlink loop, a name too long, no permission
        raise LinesimError(
            f"{folder}: cannot be read ({error.strerror or error}); give a folder written "
            "by linesim run or linesim compare"
        ) from None
    return 0
