"""Schemas of lines and scenarios, and loading them from YAML with located errors."""

from __future__ import annotations

from sim.model.distributions import Distribution
from sim.model.line import (
    Batch,
    Defects,
    Failures,
    Line,
    Maintenance,
    Material,
    MinorStops,
    Product,
    Release,
    Setup,
    Shift,
    Station,
)
from sim.model.loader import load_line, load_scenario
from sim.model.scenario import Scenario, ScenarioFile

__all__ = [
    "Batch",
    "Defects",
    "Distribution",
    "Failures",
    "Line",
    "Maintenance",
    "Material",
    "MinorStops",
    "Product",
    "Release",
    "Scenario",
    "ScenarioFile",
    "Setup",
    "Shift",
    "Station",
    "load_line",
    "load_scenario",
]
