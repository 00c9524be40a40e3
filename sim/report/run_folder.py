"""Where a run's results go, and how they appear: whole, private to one run, never mixed.

Without ``--out`` every run gets its own folder ``results/<scenario>/<run id>/`` (the run
id is the UTC start time, ``20261129-174512``) and ``results/<scenario>/LATEST``, a
one-line text file, names the newest; readers such as ``linesim plot results/<scenario>``
follow it (a text file, not a symlink: symlinks need extra rights on Windows). With
``--out DIR`` the run goes to ``DIR``; a previous run there is moved aside to
``DIR.previous`` (one generation kept), and ``DIR`` is locked while the run lasts, so a
second run writing the same ``DIR`` at once is refused.

Either way the files are written into a staging folder beside the target
(``.<name>.writing-<pid>-<random>``) and the whole folder is renamed into place, so a
reader sees a complete run or none, never new CSVs beside an old summary. Staging
folders of runs that were killed are removed by the next run in the same place.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from sim.atomic import sync_folder, write_text
from sim.errors import LinesimError
from sim.out_folder import not_writable, refuse_a_file_in_the_way, safe_folder_name

__all__ = [
    "LATEST_FILE",
    "STORE",
    "FolderLock",
    "ResultsFolder",
    "check_run_folder",
    "follow_latest",
    "pid_alive",
]

RESULT_MARKERS = ("summary.json", "comparison.json", "sizing.json")
"""The file each kind of results folder is known by, written last into its staging."""
LATEST_FILE = "LATEST"
"""Text file in ``results/<scenario>/`` naming the newest run folder."""
PREVIOUS_SUFFIX = ".previous"
"""``--out DIR`` keeps the run it replaces in ``DIR`` + this."""
_STAGING = re.compile(r"^\.(?P<name>.+)\.writing-(?P<pid>\d+)-[0-9a-f]+$")


def pid_alive(pid: int) -> bool:
    """True when a process ``pid`` exists (it may belong to another user)."""
    if pid <= 0:
        return False
    try:
        import psutil

        return bool(psutil.pid_exists(pid))
    except ImportError:  # pragma: no cover - psutil is a core dependency
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class FolderLock:
    """An exclusive lock on a results folder: an operating-system lock (:mod:`filelock`)
    on the file ``.<name>.lock`` beside it, which the system gives up when its process
    ends, however it ends (a killed run leaves no lock to take over). The holder's pid is
    written to ``.<name>.lock.owner`` so that a refused run can name it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder.parent / f".{folder.name}.lock"
        self.owner_path = folder.parent / f".{folder.name}.lock.owner"
        self._lock: Any = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`LinesimError` naming the run that holds it."""
        from filelock import FileLock, Timeout

        lock = FileLock(self.path, blocking=False)
        try:
            lock.acquire()
        except Timeout:
            owner = self._owner()
            named = f" (pid {owner})" if owner is not None else ""
            raise LinesimError(
                f"results folder {self.folder} is being written by another linesim "
                f"run{named}; wait for it to finish or use another --out"
            ) from None
        except OSError as error:
            raise LinesimError(
                f"could not lock {self.folder}: {error.strerror or error}; check that "
                f"{self.folder.parent} is writable"
            ) from None
        self._lock = lock
        with contextlib.suppress(OSError):  # the pid is for messages; the lock holds without it
            self.owner_path.write_text(f"{os.getpid()}\n", encoding="ascii")

    def _owner(self) -> int | None:
        try:
            return int(self.owner_path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        """Give the lock up (no-op when not held)."""
        if self._lock is not None:
            self.owner_path.unlink(missing_ok=True)
            self._lock.release()
            self._lock = None


STORE = "uncertainty"
"""A comparison's store of finished uncertainty runs: a folder holding only it is the
comparison's own (killed before it wrote anything else)."""


def _is_run_folder(folder: Path) -> bool:
    """True for a folder a linesim run, comparison or sizing wrote (it holds summary.json,
    comparison.json or sizing.json, or only the store of a comparison killed while it
    ran)."""
    if any((folder / name).is_file() for name in RESULT_MARKERS):
        return True
    try:
        return {entry.name for entry in folder.iterdir()} == {STORE}
    except OSError:
        return False


def _remove_stale_staging(parent: Path) -> None:
    """Delete staging folders in ``parent`` whose run is dead (killed while writing)."""
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        found = _STAGING.match(entry.name)
        if found and entry.is_dir() and not pid_alive(int(found["pid"])):
            shutil.rmtree(entry, ignore_errors=True)


class ResultsFolder:
    """The folder one run writes: checked before simulating, written into a staging
    folder, published by one rename.

    Parameters
    ----------
    name
        The scenario's name (made safe with :func:`safe_folder_name`).
    out
        ``--out DIR``, or ``None`` for ``<root>/<name>/<run id>/``.
    root
        Folder of default results (``results``).
    """

    def __init__(self, name: str, out: str | os.PathLike[str] | None, root: Path | None = None):
        self.explicit = out is not None
        self.base = (root or Path("results")) / safe_folder_name(name)
        self.target: Path = Path(out) if out is not None else self.base
        self.staging: Path | None = None
        self.previous: Path | None = None
        self._lock: FolderLock | None = None

    def prepare(self) -> Path:
        """Check the target and make the staging folder (a write test); return it.

        Raises :class:`LinesimError` (exit 2) before any simulation when the results
        could not be written: ``--out`` is a file or a device, a folder holding other
        files, a folder another run is writing, or a read-only place.
        """
        target = self.target
        refuse_a_file_in_the_way(target, "--out" if self.explicit else "the results folder")
        if self.explicit and target.is_dir() and not _is_run_folder(target):
            try:
                if any(target.iterdir()):
                    raise LinesimError(
                        f"--out {target} holds files that are not a linesim run "
                        "(no summary.json, comparison.json or sizing.json); give an empty "
                        "or new folder"
                    )
            except OSError as error:
                raise not_writable(target, error) from None
        parent = target.parent if self.explicit else self.base
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise not_writable(parent, error) from None
        if self.explicit:
            self._lock = FolderLock(target)
            try:
                self._lock.acquire()
            except OSError as error:
                raise not_writable(parent, error) from None
        _remove_stale_staging(parent)
        label = target.name if self.explicit else "run"
        staging = parent / f".{label}.writing-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            staging.mkdir()
            (staging / ".probe").write_bytes(b"linesim")
            (staging / ".probe").unlink()
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            self.close()
            raise not_writable(parent, error) from None
        self.staging = staging
        return staging

    def publish(self, keep_previous: bool = True) -> Path:
        """Rename the staging folder into place and return the run's folder.

        Default runs get ``<base>/<run id>`` and ``LATEST`` names it; an ``--out`` run
        replaces the target, whose previous run (if any) goes to ``DIR.previous``
        (``keep_previous``) or is deleted.
        """
        assert self.staging is not None, "prepare() first"
        if self.explicit:
            final = self._replace_target(keep_previous)
        else:
            final = self._new_run_folder()
            write_text(self.base / LATEST_FILE, final.name + "\n")
        self.staging = None
        return final

    def _replace_target(self, keep_previous: bool) -> Path:
        assert self.staging is not None
        target = self.target
        aside: Path | None = None
        if target.is_dir():
            if not _is_run_folder(target) and any(target.iterdir()):
                raise LinesimError(f"{target} filled with other files during the run")
            aside = target.with_name(target.name + PREVIOUS_SUFFIX)
            if not keep_previous:
                aside = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
            if aside.exists():
                shutil.rmtree(aside)
            os.replace(target, aside)
        os.replace(self.staging, target)
        sync_folder(target.parent)
        if aside is not None and not keep_previous:
            shutil.rmtree(aside, ignore_errors=True)
        elif aside is not None and _is_run_folder(aside):
            self.previous = aside
        elif aside is not None:  # it was an empty folder
            shutil.rmtree(aside, ignore_errors=True)
        return target

    def _new_run_folder(self) -> Path:
        assert self.staging is not None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        for attempt in range(1, 1000):
            final = self.base / (stamp if attempt == 1 else f"{stamp}-{attempt}")
            if final.exists():
                continue
            try:
                os.rename(self.staging, final)
            except OSError:  # another run took the name meanwhile
                if final.exists():
                    continue
                raise
            sync_folder(self.base)
            return final
        raise LinesimError(f"no free run folder name in {self.base}")  # pragma: no cover

    def discard(self) -> None:
        """Delete the staging folder (nothing of this run is kept)."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def close(self) -> None:
        """Discard what was not published and release the lock."""
        self.discard()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ResultsFolder:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def follow_latest(folder: str | os.PathLike[str]) -> Path:
    """Return the run folder ``folder`` stands for: itself when it holds a run, else the
    run its ``LATEST`` file names (``results/<scenario>`` -> its newest run)."""
    path = Path(folder)
    latest = path / LATEST_FILE
    if not (path / "summary.json").exists() and latest.is_file():
        name = latest.read_text(encoding="utf-8").strip()
        if not name or Path(name).name != name or name in (".", ".."):
            raise LinesimError(f"{latest}: does not name a run folder ({name!r})")
        return path / name
    return path


def _estimates(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every estimate of a run summary with where it stands (``kpis.throughput``)."""
    found = [(f"kpis.{name}", value) for name, value in summary["kpis"].items()]
    for station, values in summary["stations"].items():
        if not isinstance(values, dict):
            found.append((f"stations.{station}", values))
            continue
        found += [(f"stations.{station}.{name}", value) for name, value in values.items()]
    return found


def _is_estimate(value: Any) -> bool:
    """True for ``{"mean": x, "std": x, "ci95": [lo, hi] | null, ...}`` of numbers/null."""

    def number(x: Any) -> bool:
        return x is None or (isinstance(x, int | float) and not isinstance(x, bool))

    if not isinstance(value, dict):
        return False
    ci = value.get("ci95")
    return (
        number(value.get("mean"))
        and number(value.get("std"))
        and (ci is None or (isinstance(ci, list) and len(ci) == 2 and all(map(number, ci))))
    )


def check_run_folder(folder: Path) -> dict[str, Any]:
    """Return the parsed ``summary.json`` of a complete run folder, or raise
    :class:`LinesimError` saying what is wrong (missing, unreadable, not a run summary,
    a listed file missing)."""
    summary_path = folder / "summary.json"
    try:
        text = summary_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LinesimError(
            f"{folder}: no summary.json here; give a folder written by linesim run"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise LinesimError(f"{summary_path}: cannot be read ({error})") from None
    try:
        summary = json.loads(text)
    except ValueError as error:
        raise LinesimError(
            f"{summary_path}: not valid JSON ({error}); the folder is not a complete run, "
            "run the scenario again"
        ) from None
    required = {"scenario": str, "time_unit": str, "kpis": dict, "stations": dict}
    if not isinstance(summary, dict):
        raise LinesimError(f"{summary_path}: not a linesim run summary (not a JSON object)")
    for key, kind in required.items():
        if not isinstance(summary.get(key), kind):
            raise LinesimError(
                f"{summary_path}: not a linesim run summary ({key!r} missing or not a "
                f"{kind.__name__}); run the scenario again"
            )
    for where, estimate in _estimates(summary):
        if not _is_estimate(estimate):
            raise LinesimError(
                f"{summary_path}: {where} is not an estimate (a mean, std and ci95 of numbers "
                "or null); the file was changed after the run: run the scenario again"
            )
    for name in summary.get("files") or []:
        if not isinstance(name, str) or not (folder / name).is_file():
            raise LinesimError(
                f"{folder}: incomplete run, {name} listed in summary.json is missing; "
                "run the scenario again"
            )
    return summary
