"""``status.json``: whether a sweep, tune or fit folder is complete, and how to resume it.

Run, comparison and sizing folders are staged and renamed into place whole, so they are
complete or absent. Sweeps, tunes and fits fill their folder as they go (finished points,
the study database, the fitted files), so each command writes ``status.json`` twice: at
the start ``complete: false`` with the command that resumes it, and last, atomically,
after every other file, ``complete: true`` (or ``false`` with what is missing when it was
interrupted). A folder whose ``status.json`` says ``false`` was stopped (a signal, a
kill, a full disk): its files are what had finished, and ``resume`` finishes it.
:func:`read_status` is what ``linesim plot`` and the API read.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sim.atomic import write_json

__all__ = ["STATUS_FILE", "mark_finished", "mark_started", "read_status", "status_text"]

STATUS_FILE = "status.json"
"""The completeness marker of a sweep, tune or fit folder."""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def mark_started(folder: Path, command: str, resume: str) -> None:
    """Mark ``folder`` as being written by ``command``: incomplete until it finishes;
    ``resume`` is the command line that finishes it."""
    folder.mkdir(parents=True, exist_ok=True)
    write_json(
        folder / STATUS_FILE,
        {
            "command": command,
            "complete": False,
            "started": _now(),
            "missing": "everything after the start: the command did not finish",
            "resume": resume,
        },
    )


def mark_finished(folder: Path, command: str, resume: str, missing: str | None = None) -> None:
    """Mark ``folder`` finished, last: complete, or (with ``missing``) interrupted with
    what is missing, e.g. ``"38 of 50 points"``."""
    previous = read_status(folder) or {}
    write_json(
        folder / STATUS_FILE,
        {
            "command": command,
            "complete": missing is None,
            "started": previous.get("started"),
            "finished": _now(),
            "missing": missing,
            "resume": resume if missing is not None else None,
        },
    )


def read_status(folder: str | Path) -> dict[str, Any] | None:
    """The ``status.json`` of ``folder``, or ``None`` when it has none (or an unreadable
    one, which is no status either)."""
    try:
        content = json.loads((Path(folder) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def status_text(folder: str | Path, status: dict[str, Any]) -> str:
    """One line saying what the folder is and, when incomplete, how to finish it."""
    command = status.get("command", "linesim")
    if status.get("complete"):
        return f"{folder}: a complete linesim {command} folder (finished {status.get('finished')})"
    return (
        f"{folder}: an incomplete linesim {command} folder (missing: {status.get('missing')}); "
        f"finish it with: {status.get('resume')}"
    )
