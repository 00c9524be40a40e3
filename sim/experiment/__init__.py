"""Experiments: replications on an executor, statistics over them.

The names below are imported from their modules on first use, so importing one small
module of the package (``sim.experiment.interrupts``, which every command uses) does not
load the engine, numpy and pydantic models with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiment.executors import Interrupted, LocalExecutor, default_jobs
    from sim.experiment.replicate import RunResult, run
    from sim.experiment.statistics import Estimate, estimate, t_halfwidth

__all__ = [
    "Estimate",
    "Interrupted",
    "LocalExecutor",
    "RunResult",
    "default_jobs",
    "estimate",
    "run",
    "t_halfwidth",
]

_HOMES = {
    **dict.fromkeys(["Interrupted", "LocalExecutor", "default_jobs"], "sim.experiment.executors"),
    **dict.fromkeys(["RunResult", "run"], "sim.experiment.replicate"),
    **dict.fromkeys(["Estimate", "estimate", "t_halfwidth"], "sim.experiment.statistics"),
}
"""Public name -> the module it is imported from on first use."""


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, then keep it here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'sim.experiment' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
