"""The garbage collector in the ``linesim`` process: less walking at start-up and at exit.

Starting a command imports numpy, pydantic, SimPy and rich and builds the schema models:
over 100,000 objects that live until the process ends. Python's cyclic garbage collector
walks them again and again while they are made (about 110 collections for a tiny run)
and once more when the interpreter shuts down, some 40-60 ms of a tiny run's 0.4 s
(``benchmarks/cli_latency.py``). So, in the command's own process only:

- collection is paused while the command's modules are imported, and everything made by
  then is frozen (:func:`gc.freeze`: moved to the permanent generation, which collections
  skip) before the command starts; collection then resumes as usual, so a simulation's
  garbage is collected as before, and walks fewer objects each time;
- at exit everything is frozen again, so the interpreter's final collection walks
  nothing. The operating system takes back the memory at once.

Frozen objects are still freed when no longer referenced; only cyclic garbage among
them stays (at start-up a few kB, at exit nothing that matters). Results do not depend
on the collector. A program that calls :func:`sim.cli.main` with arguments keeps running
afterwards, so there nothing is paused or frozen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["before_exit", "paused_for_startup"]


@contextmanager
def paused_for_startup(process: bool) -> Iterator[None]:
    """Pause collection while the block imports the command, then freeze what it made;
    nothing happens unless ``process`` (this is the ``linesim`` process itself)."""
    if not process or not gc.isenabled():
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
