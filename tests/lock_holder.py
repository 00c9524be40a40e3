"""Another process that holds a results folder's lock, for the tests that are refused by it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["lock_held_elsewhere"]

ROOT = Path(__file__).resolve().parent.parent

_HOLD = """
import sys, time
from pathlib import Path
from sim.report.run_folder import FolderLock
lock = FolderLock(Path(sys.argv[1]))  # kept: a collected lock is given up
lock.acquire()
print("held", flush=True)
time.sleep(120)
"""


@contextmanager
def lock_held_elsewhere(folder: Path) -> Iterator[subprocess.Popen[str]]:
    """A child process holding ``folder``'s lock for the ``with`` block; killed (SIGKILL,
    as a crashed run would end) when it closes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
