"""Shared pieces of the fit tests: trace a line with known parameters into a log file."""

from __future__ import annotations

from pathlib import Path

from sim.fit.trace import trace_replication, write_trace
from sim.model import load_scenario

HERE = Path(__file__).parent


def trace_line(line: str, folder: Path, horizon: float, warmup: float, seed: int = 1) -> Path:
    """Trace replication 1 of ``line`` (a YAML file next to this one) into ``folder``."""
    scenario_file = folder / "scenario.yaml"
    scenario_file.write_text(
        f"line: {HERE / line}\nhorizon: {horizon}\nwarmup: {warmup}\nreplications: 1\n"
        f"seed: {seed}\n"
    )
    return write_trace(trace_replication(load_scenario(scenario_file)), folder)
