"""linesim: discrete-event simulation of battery-cell production lines on SimPy.

Typical use::

    from sim import load_scenario, run, build_summary
    scenario = load_scenario("scenarios/penny_fab.yaml", {"release.wip": 8})
    summary = build_summary(run(scenario, jobs=2))
    summary["kpis"]["throughput"]   # {"mean", "std", "ci95", "n"}
"""

from __future__ import annotations

from sim.analysis.summary import build_summary
from sim.engine import ReplicationResult, simulate
from sim.errors import ConfigError, ConfigErrors, LinesimError, RunError
from sim.experiment import RunResult, run
from sim.model import Line, Scenario, load_line, load_scenario
from sim.report import write_results

__all__ = [
    "ConfigError",
    "ConfigErrors",
    "Line",
    "LinesimError",
    "ReplicationResult",
    "RunError",
    "RunResult",
    "Scenario",
    "build_summary",
    "load_line",
    "load_scenario",
    "run",
    "simulate",
    "write_results",
]
