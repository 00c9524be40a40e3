"""Experiments: replications on an executor, statistics over them."""

from __future__ import annotations

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
