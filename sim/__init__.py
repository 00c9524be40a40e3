"""linesim: discrete-event simulation of battery-cell production lines on SimPy.

Typical use (in a script, under ``if __name__ == "__main__":`` when ``jobs`` > 1)::

    import sim
    result = sim.run("scenarios/penny_fab.yaml", {"release.wip": 8}, replications=5)
    result.summary["kpis"]["throughput"]   # {"mean", "std", "ci95", "n"}
    result.to_frame()                      # a pandas DataFrame, one row per KPI

``sim.compare``, ``sim.sweep``, ``sim.tune`` and ``sim.plot`` do what their ``linesim``
commands do. Importing ``sim`` loads neither matplotlib, scipy.stats, Optuna, rich, Dask
nor pyarrow: each is imported by the function that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.analysis.summary import build_summary
from sim.api import CompareOutcome, Run, SweepOutcome, TuneOutcome, compare, plot, run, sweep, tune
from sim.engine import ReplicationResult, simulate
from sim.errors import ConfigError, ConfigErrors, LinesimError, RunError
from sim.experiment import RunResult
from sim.model import Line, Scenario, load_line, load_scenario

if TYPE_CHECKING:
    from sim.report.results import write_results

__all__ = [
    "CompareOutcome",
    "ConfigError",
    "ConfigErrors",
    "Line",
    "LinesimError",
    "ReplicationResult",
    "Run",
    "RunError",
    "RunResult",
    "Scenario",
    "SweepOutcome",
    "TuneOutcome",
    "build_summary",
    "compare",
    "load_line",
    "load_scenario",
    "plot",
    "run",
    "simulate",
    "sweep",
    "tune",
    "write_results",
]


def __getattr__(name: str) -> Any:
    """Import ``write_results`` (the report layer) only when it is asked for."""
    if name == "write_results":
        from sim.report.results import write_results

        return write_results
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
