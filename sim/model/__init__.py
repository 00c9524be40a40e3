"""Schemas of lines and scenarios, and loading them from YAML with located errors."""

from __future__ import annotations

from sim.model.distributions import Distribution
from sim.model.line import Batch, Failures, Line, Release, Setup, Station
from sim.model.loader import load_line, load_scenario
from sim.model.scenario import Scenario, ScenarioFile

__all__ = [
    "Batch",
    "Distribution",
    "Failures",
    "Line",
    "Release",
    "Scenario",
    "ScenarioFile",
    "Setup",
    "Station",
    "load_line",
    "load_scenario",
]
