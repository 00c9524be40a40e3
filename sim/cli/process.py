"""What the ``linesim`` process sets up for itself: no BLAS threads, a garbage collector
that skips the start-up's objects. A program that calls :func:`sim.cli.main` with
arguments keeps running afterwards and keeps its own settings: nothing here applies.

**BLAS threads.** numpy's OpenBLAS starts a thread per core when numpy is imported, and
each spins for about 0.1 s waiting for work that never comes: no command does linear
algebra worth a thread (the engine draws random numbers; ``--jobs`` runs processes). On
a 2-core machine that spinning cost a tiny run 60-110 ms of CPU, and wall time when the
other core is busy. ``OPENBLAS_NUM_THREADS=1`` is set before numpy is imported, unless
the user set it; worker processes inherit it.

**Garbage collector.** Starting a command imports numpy, pydantic, SimPy and rich and
builds the schema models: some 76,000 objects the collector tracks, which live until the
process ends. The cyclic garbage collector would walk them about 110 times while they are
made and once more when the interpreter shuts down, some 40-60 ms of a tiny run. So
collection is paused while the command's modules are imported, and everything made by
then is frozen (:func:`gc.freeze`: moved to the permanent generation, which collections
skip) before the command starts; collection then resumes as usual, so a simulation's
garbage is collected as before, walking fewer objects each time. At exit everything is
frozen again, so the interpreter's last collection walks nothing. Frozen objects are
still freed when no longer referenced; only cyclic garbage among them stays (at start-up
some 700 objects). Results do not depend on either setting.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BLAS_THREADS", "before_exit", "startup"]

BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1"}
"""Environment set before numpy is imported, where the user has not set it."""


@contextmanager
def startup(process: bool) -> Iterator[None]:
    """Set the BLAS threads and pause collection while the block imports the command,
    then freeze what it made; nothing happens unless ``process`` (this is the
    ``linesim`` process itself)."""
    if not process:
        yield
        return
    for name, value in BLAS_THREADS.items():
        os.environ.setdefault(name, value)
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def before_exit(process: bool) -> None:
    """Freeze every object so that the interpreter's last collection has none to walk;
    only when ``process`` (the process ends right after this)."""
    if process:
        gc.freeze()
