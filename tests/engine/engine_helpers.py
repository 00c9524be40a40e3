"""Shared by the engine tests: building checked general lines, asserting theory in a CI."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.statistics import t_halfwidth
from sim.model import Line
from sim.model.checks import check_line

LEVEL = 0.999
"""Confidence level of the statistical assertions: with dozens of them, 95 % would fail
a correct engine now and then."""
MAX_REL_HALF = 0.03
"""Largest accepted interval half-width relative to the analytic value [-]."""


def general_line(
    stations: list[dict[str, Any]], materials: dict[str, dict[str, Any]], **extra: Any
) -> Line:
    """Validate a general line (bare times in hours) and require that it passes the checks."""
    data = {
        "name": "test",
        "release": {"policy": "push"},
        "materials": materials,
        "stations": stations,
        **extra,
    }
    line = Line.model_validate(data, context={"time_unit": "h"})
    assert check_line(line) == []
    return line


def assert_in_ci(values: list[float] | np.ndarray, theory: float, case: str) -> None:
    """Assert ``theory`` lies in the 99.9 % t-interval of ``values``, a tight one."""
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    half = t_halfwidth(data, LEVEL)
    assert half <= MAX_REL_HALF * abs(theory), f"{case}: interval too wide ({half:.4g})"
    assert abs(mean - theory) <= half, f"{case}: {theory:.6g} not in {mean:.6g} +- {half:.4g}"
