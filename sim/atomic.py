"""Atomic, durable writes: a file appears whole or not at all, never half-written, and
once written it survives a power cut.

Every file is written to a temporary file beside its target, flushed to the disk
(``fsync``) and renamed into place, and the folder that holds it is flushed too (on
POSIX; Windows journals the rename itself). The
temporary file is created private (``-rw-------``); before the rename it gets the mode an
ordinary ``open()`` would have given (``0o666`` less the umask), so colleagues on a
shared drive can read results as they read any other file.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "atomic_open",
    "file_mode",
    "folder_mode",
    "sync_folder",
    "write_bytes",
    "write_csv",
    "write_json",
    "write_text",
]

_UMASK_LOCK = threading.Lock()


def _umask() -> int:
    """The process umask (read by setting and restoring it, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode of a new file as ``open()`` makes it: ``0o666`` less the umask."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """Mode of a new folder as ``mkdir`` makes it: ``0o777`` less the umask."""
    return 0o777 & ~_umask()


@contextmanager
def atomic_open(path: str | os.PathLike[str], binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; rename it to ``path`` when the
    block ends without error, delete it otherwise. Text is UTF-8 with ``\\n`` endings."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        if hasattr(os, "fchmod"):  # POSIX: the mode open() would give, not mkstemp's 0600
            os.fchmod(handle, file_mode())
        stream: IO[Any] = (
            os.fdopen(handle, "wb")
            if binary
            else os.fdopen(handle, "w", encoding="utf-8", newline="")
        )
        with stream:
            yield stream
            stream.flush()
            _sync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def _sync(handle: int) -> None:
    """Flush a file to the disk; a file system that cannot (``EINVAL``, ``ENOTSUP``: some
    network and virtual drives) keeps the file as written, while a failure to store it
    (a full disk, an I/O error) is raised."""
    try:
        os.fsync(handle)
    except OSError as error:
        if error.errno not in _CANNOT_SYNC:
            raise


_CANNOT_SYNC = {errno.EINVAL, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)}
"""Errors of ``fsync`` that say the file system does not flush, not that data was lost."""


def sync_folder(path: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (files renamed into it, folders renamed into place) to
    the disk, so that they survive a power cut. POSIX only: Windows cannot open a folder
    for this and journals renames itself; a file system that cannot flush a folder (some
    network drives) is left as it is."""
    if os.name == "nt":  # pragma: no cover - Windows
        return
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    with atomic_open(path) as stream:
        stream.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    with atomic_open(path, binary=True) as stream:
        stream.write(data)


def _clean(value: Any) -> Any:
    """Replace NaN and infinity (not JSON) by ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as indented JSON, NaN as ``null``."""
    write_text(path, json.dumps(_clean(data), indent=2, allow_nan=False) + "\n")


def write_csv(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write a CSV table with ``header``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_text(path, buffer.getvalue())
