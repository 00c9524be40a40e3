"""Calibrate a line from plant data: MES event logs in, fitted scenarios out, and a check
of the fitted model against the log. Heavy libraries (scipy, pyarrow, matplotlib) are
imported by the functions that use them."""

from __future__ import annotations

from sim.fit.aliases import AliasFile, load_aliases
from sim.fit.fitting import FitResult, fit_log
from sim.fit.log import MachineLog, read_log
from sim.fit.trace import TraceRecorder, TraceTable, trace_replication, write_trace

__all__ = [
    "AliasFile",
    "FitResult",
    "MachineLog",
    "TraceRecorder",
    "TraceTable",
    "fit_log",
    "load_aliases",
    "read_log",
    "trace_replication",
    "write_trace",
]
