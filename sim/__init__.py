"""linesim: discrete-event simulation of battery-cell production lines on SimPy.

Typical use (in a script, under ``if __name__ == "__main__":`` when ``jobs`` > 1)::

    import sim
    result = sim.run("scenarios/penny_fab.yaml", {"release.wip": 8}, replications=5)
    result.summary["kpis"]["throughput"]   # {"mean", "std", "ci95", "n"}
    result.to_frame()                      # a pandas DataFrame, one row per KPI

``sim.compare``, ``sim.sweep``, ``sim.tune``, ``sim.size`` and ``sim.plot`` do what their
``linesim`` commands do. ``import sim`` itself loads nothing heavy: each name below is imported from
its module the first time it is used (so ``linesim --help`` answers at once), and
matplotlib, scipy.stats, Optuna, rich, Dask and pyarrow only by the functions that need
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.errors import ConfigError, ConfigErrors, LinesimError, RunError
from sim.lazy import lazy_attributes

if TYPE_CHECKING:
    from sim.analysis.summary import build_summary
    from sim.api import (
        CompareOutcome,
        Run,
        RunSettings,
        SizeOutcome,
        SweepOutcome,
        TuneOutcome,
        compare,
        plot,
        run,
        size,
        sweep,
        tune,
    )
    from sim.engine import ReplicationResult, simulate
    from sim.experiment import RunResult
    from sim.model import Line, Scenario, load_line, load_scenario
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
    "RunSettings",
    "Scenario",
    "SizeOutcome",
    "SweepOutcome",
    "TuneOutcome",
    "build_summary",
    "compare",
    "load_line",
    "load_scenario",
    "plot",
    "run",
    "simulate",
    "size",
    "sweep",
    "tune",
    "write_results",
]

_HOMES = {
    **dict.fromkeys(
        [
            *("CompareOutcome", "Run", "RunSettings", "SizeOutcome", "SweepOutcome"),
            "TuneOutcome",
            *("compare", "plot", "run", "size", "sweep", "tune"),
        ],
        "sim.api",
    ),
    "build_summary": "sim.analysis.summary",
    "ReplicationResult": "sim.engine",
    "simulate": "sim.engine",
    "RunResult": "sim.experiment",
    **dict.fromkeys(["Line", "Scenario", "load_line", "load_scenario"], "sim.model"),
    "write_results": "sim.report.results",
}
"""Public name -> the module it is imported from on first use."""


__getattr__, __dir__ = lazy_attributes(__name__, _HOMES, __all__)
