"""Experiments: replications on an executor (their statistics are :mod:`sim.analysis.statistics`).

The names below are imported from their modules on first use, so importing one small
module of the package (``sim.experiment.executors``, say) does not
load the engine, numpy and pydantic models with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.lazy import lazy_attributes

if TYPE_CHECKING:
    from sim.experiment.executors import Interrupted, LocalExecutor, default_jobs
    from sim.experiment.replicate import RunResult, run

__all__ = [
    "Interrupted",
    "LocalExecutor",
    "RunResult",
    "default_jobs",
    "run",
]

_HOMES = {
    **dict.fromkeys(["Interrupted", "LocalExecutor", "default_jobs"], "sim.experiment.executors"),
    **dict.fromkeys(["RunResult", "run"], "sim.experiment.replicate"),
}
"""Public name -> the module it is imported from on first use."""


__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, __all__)
