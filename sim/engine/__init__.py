"""The SimPy engine: one replication of one line, returning raw observations.

It never reads YAML, never plots and never prints.
"""

from __future__ import annotations

from sim.engine.monitor import STATES
from sim.engine.replication import ReplicationResult, StationResult, simulate

__all__ = ["STATES", "ReplicationResult", "StationResult", "simulate"]
