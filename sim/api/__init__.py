"""The Python API: ``run``, ``compare``, ``sweep``, ``tune`` and ``plot``, each doing what
its ``linesim`` command does and returning results that convert to pandas DataFrames."""

from __future__ import annotations

from sim.api.calls import compare, plot, run, sweep, tune
from sim.api.results import CompareOutcome, Run, SweepOutcome, TuneOutcome

__all__ = [
    "CompareOutcome",
    "Run",
    "SweepOutcome",
    "TuneOutcome",
    "compare",
    "plot",
    "run",
    "sweep",
    "tune",
]
