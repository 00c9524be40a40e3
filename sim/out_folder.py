"""An output folder (``--out DIR``) checked before the work whose files it will hold.

Every command that writes files checks its folder first, so a bad ``--out`` (under a
file, on a read-only or missing device, a name the system refuses) is one line naming
the folder and the fix, given before a comparison, sweep, study or fit is computed, not
a traceback after it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from contextlib import suppress
from pathlib import Path

from sim.errors import LinesimError

__all__ = [
    "MAX_NAME",
    "not_writable",
    "refuse_a_file_in_the_way",
    "safe_folder_name",
    "writable_folder",
]

MAX_NAME = 80
"""Longest folder name made from a scenario name [characters]."""
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def not_writable(where: Path, error: OSError, before: str = "simulating") -> LinesimError:
    """The error for a folder that cannot be written (``before``: what it is checked
    before, as the message says)."""
    reason = error.strerror or str(error)
    return LinesimError(
        f"results cannot be written to {where}: {reason}; choose a writable folder "
        f"with --out DIR (checked before {before})"
    )


def refuse_a_file_in_the_way(folder: Path, option: str = "--out") -> None:
    """Raise :class:`~sim.errors.LinesimError` when ``folder``, or its nearest existing
    ancestor, is a file (or a device) rather than a folder."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate):
            if candidate.is_dir():
                return
            where = "is" if candidate == folder else f"lies under {candidate}, which is"
            raise LinesimError(
                f"{option} {folder} {where} a file, not a folder; give a folder (it is created)"
            )


def writable_folder(
    folder: str | os.PathLike[str], option: str = "--out", before: str = "simulating"
) -> Path:
    """Make ``folder`` (with its parents) and prove it takes a file; return it.

    Raises :class:`~sim.errors.LinesimError` (exit 2) naming ``option`` when a file
    stands where a folder must be, or when the folder cannot be made or written.
    """
    folder = Path(folder)
    refuse_a_file_in_the_way(folder, option)
    probe = folder / f".linesim-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"linesim")
        probe.unlink()
    except ValueError as error:  # a NUL in the path
        raise LinesimError(f"{option} {str(folder)!r}: {error}; give a folder path") from None
    except OSError as error:
        with suppress(OSError):
            probe.unlink(missing_ok=True)
        raise not_writable(folder, error, before) from None
    return folder


def safe_folder_name(name: str) -> str:
    """Return a folder name made from a scenario ``name``: never a path.

    Letters, digits, ``-``, ``_`` and ``.`` are kept (any script); everything else (path
    separators, control characters, NUL) becomes ``_``; leading dots and spaces go, so
    ``..`` or ``../../tmp/x`` stay inside ``results/``; Windows device names get a ``_``;
    names longer than :data:`MAX_NAME` are cut and end in a short hash of the full name.
    """
    text = unicodedata.normalize("NFC", str(name))
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
    cleaned = re.sub(r"_+", "_", cleaned).lstrip("._ ").rstrip(". ")
    if not cleaned:
        cleaned = "scenario"
    if cleaned.split(".")[0].lower() in _WINDOWS_RESERVED:
        cleaned += "_"
    if len(cleaned) > MAX_NAME or cleaned != text:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        if len(cleaned) > MAX_NAME:
            cleaned = f"{cleaned[: MAX_NAME - 9]}-{digest}"
        elif cleaned != text and not _harmless(text, cleaned):
            cleaned = f"{cleaned}-{digest}"
    return cleaned


def _harmless(text: str, cleaned: str) -> bool:
    """True when only spaces became underscores (``my line`` -> ``my_line``)."""
    return text.replace(" ", "_") == cleaned
