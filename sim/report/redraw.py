"""Redraw the plots and reports of a results folder from its files, without simulating:
what ``linesim plot`` and :func:`sim.plot` do, and what ``linesim run`` does after it has
published its folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sim.errors import LinesimError
from sim.report.run_folder import follow_latest
from sim.report.status import read_status, status_text

__all__ = ["draw_comparison", "draw_run", "read_comparison", "redraw"]


def draw_run(folder: Path) -> Path:
    """Write the run plots and report.html of a complete run folder; return the report
    (a folder that is not a complete run: :class:`~sim.errors.LinesimError`)."""
    from sim.report.html import write_report
    from sim.report.plots import load_results, write_run_plots

    data = load_results(folder)
    write_run_plots(folder, data)
    return write_report(folder, data)


def read_comparison(folder: Path) -> dict[str, Any]:
    """The ``comparison.json`` of a comparison folder, checked to be one."""
    path = folder / "comparison.json"
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise LinesimError(f"{path}: cannot be read as JSON ({error})") from None
    if not isinstance(content, dict) or not isinstance(content.get("scenarios"), list):
        raise LinesimError(f"{path}: not a linesim comparison (no list 'scenarios')")
    return content


def draw_comparison(
    folder: Path, content: dict[str, Any], study: dict[str, Any] | None = None
) -> list[Path]:
    """Draw each scenario's run folder in a comparison folder, the comparison's plots
    (with ``study``, the uncertainty study's) and its report.html, written last; return
    the files written."""
    from sim.report.compare_html import write_comparison_report
    from sim.report.plot_compare import write_comparison_plots  # matplotlib

    written = [
        draw_run(folder / name)
        for name in content["scenarios"]
        if isinstance(name, str) and (folder / name / "summary.json").is_file()
    ]
    written += write_comparison_plots(folder, content, study)
    written.append(write_comparison_report(folder, content, study))
    return written


def _study(folder: Path) -> dict[str, Any] | None:
    """The ``uncertainty.json`` of a comparison folder, if it has one."""
    path = folder / "uncertainty.json"
    if not path.is_file():
        return None
    try:
        study = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise LinesimError(f"{path}: cannot be read as JSON ({error})") from None
    if not isinstance(study, dict):
        raise LinesimError(f"{path}: not a linesim uncertainty study (not a JSON object)")
    return study


def redraw(folder: str | os.PathLike[str]) -> list[Path]:
    """Redraw ``folder``: a run's folder, ``results/<scenario>`` (its newest run, named in
    ``LATEST``) or a comparison folder (each scenario's report, then the comparison's
    plots and report.html); return the files written."""
    if "\0" in os.fspath(folder):
        raise LinesimError(f"{os.fspath(folder)!r}: a path cannot hold a NUL character")
    path = Path(folder)
    try:
        if not path.exists():
            raise LinesimError(
                f"{path}: no such folder; give a folder written by linesim run or compare"
            )
        if (path / "comparison.json").is_file():
            return draw_comparison(path, read_comparison(path), _study(path))
        status = read_status(path)
        if status is not None:  # a sweep, tune or fit folder: plot does not redraw those
            raise LinesimError(
                status_text(path, status)
                + (
                    "; linesim plot redraws run and comparison folders, and the command "
                    "itself redraws its own plots when run again"
                    if status.get("complete")
                    else ""
                )
            )
        return [draw_run(follow_latest(path))]
    except OSError as error:  # a symlink loop, a name too long, no permission, disk full
        raise LinesimError(
            f"{path}: cannot be read or written ({error.strerror or error}); give a folder "
            "written by linesim run or linesim compare, with room to write its plots"
        ) from None
