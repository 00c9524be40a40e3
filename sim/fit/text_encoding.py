"""The text encoding of a CSV log: read from its byte-order mark, else UTF-8; a binary
file or text in another encoding is refused with what to do, never echoed back.

MES exports come as UTF-8 (with or without a byte-order mark) or, from Windows tools, as
UTF-16 with a mark; both are read (pyarrow transcodes UTF-16). Other files are checked on
their first :data:`SNIFF_BYTES`: a NUL byte outside UTF-16 means a binary file (a
spreadsheet, an archive, a database); bytes that are not UTF-8 mean another code page.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from sim.errors import ConfigError

__all__ = ["SNIFF_BYTES", "log_encoding"]

SNIFF_BYTES = 1 << 16
"""Bytes read to tell the encoding [B]."""

_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Byte-order marks, longest first where one begins another (UTF-32 LE begins as UTF-16
LE's)."""


def log_encoding(path: Path) -> str:
    """The encoding to read ``path`` with: ``utf-8``, ``utf-16`` or ``utf-32``.

    Raises :class:`ConfigError` naming the file for a binary file or one that is not
    UTF-8 text, with the fix (export as CSV in UTF-8).
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    for mark, encoding in _MARKS:
        if head.startswith(mark):
            return encoding
    if b"\x00" in head:
        raise ConfigError(
            "a binary file, not a CSV text log (it holds NUL bytes); export the MES log "
            "as CSV (UTF-8) or Parquet",
            file=str(path),
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not just a character cut at the sniff's end
            raise ConfigError(
                f"not UTF-8 text (byte {error.start:,} is 0x{head[error.start]:02x}); "
                "save the log as CSV in UTF-8 (or UTF-16 with a byte-order mark)",
                file=str(path),
            ) from None
    return "utf-8"
