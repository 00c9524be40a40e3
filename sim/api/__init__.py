"""The Python API: ``run``, ``compare``, ``sweep``, ``tune``, ``size`` and ``plot``, each
doing what its ``linesim`` command does and returning results that convert to pandas DataFrames."""

from __future__ import annotations

from sim.api.calls import compare, plot, run, sweep, tune
from sim.api.results import CompareOutcome, Run, SweepOutcome, TuneOutcome
from sim.api.sizing import SizeOutcome, size
from sim.experiment.settings import RunSettings

__all__ = [
    "CompareOutcome",
    "Run",
    "RunSettings",
    "SizeOutcome",
    "SweepOutcome",
    "TuneOutcome",
    "compare",
    "plot",
    "run",
    "size",
    "sweep",
    "tune",
]
