"""Memory of this process, read the same way on Linux, macOS and Windows (psutil).

``resource.getrusage`` does not exist on Windows and reports ``ru_maxrss`` in KiB on
Linux but in bytes on macOS; psutil reads the resident set size in bytes everywhere.
"""

from __future__ import annotations

import os

import psutil

__all__ = ["peak_memory", "resident_memory"]

MIB = 1024.0 * 1024.0
"""Bytes in a megabyte as reported here (MiB) [B]."""

_process: psutil.Process | None = None
_peak = 0.0


def _this_process() -> psutil.Process:
    """The psutil handle of this process (made again in a forked worker)."""
    global _process
    if _process is None or _process.pid != os.getpid():
        _process = psutil.Process()
    return _process


def resident_memory() -> float:
    """Resident memory of this process now [MB]."""
    return _this_process().memory_info().rss / MIB


def peak_memory() -> float:
    """Largest resident memory of this process seen so far [MB].

    The high-water mark of the readings taken through this module, including this one; on
    Windows the system's own peak working set is used when it is larger.
    """
    global _peak
    info = _this_process().memory_info()
    now = max(info.rss, getattr(info, "peak_wset", 0)) / MIB
    _peak = max(_peak, now)
    return _peak
