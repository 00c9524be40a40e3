"""The sold Ah under a demand (:mod:`sim.analysis.demand`) by arithmetic: the modules
delivered to orders plus the lower-grade cells sold off at grading.

The line: a press (1 h a cell, deterministic) grades its cells 75 % A, which go on to a
module assembly (2 cells a module, 0.5 h), and 25 % B, sold as cells where they are
graded; 50 Ah a cell. One order of 20 modules, placed at 0 and due at 250 h, no base
stock, a window of 300 h: the press makes cells until 40 A cells are made (a B cell gives
its raw material back to the release), so the 20 modules are delivered, nothing is left
in the line or the store, and every cell made is sold, as a module or as a B cell.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.model import Line
from sim.model.checks import check_line

HORIZON = 300.0
"""Measured window [h]."""

DAYS = 300.0
"""Working days a year [d]."""

YEAR = DAYS * 24.0 / HORIZON
"""Window -> year factor [-]."""

AH_PER_CELL = 50.0
"""Nominal capacity of a cell [Ah]."""

MODULES = 20
"""Modules ordered [modules]."""


def _line(grades: dict[str, Any] | None) -> Line:
    """The press-and-module line above; ``grades`` on the press (None: every cell A)."""
    press: dict[str, Any] = {
        "name": "press",
        "inputs": {"raw": 1},
        "output": {"cell": 1},
        "process_time": 1.0,
        "power": {"busy": 10.0, "idle": 2.0},
        "operators": 1,
    }
    if grades is not None:
        press["grades"] = grades
    data = {
        "name": "graded-press",
        "release": {"policy": "push"},
        "working_days_per_year": DAYS,
        "materials": {"raw": {"price": 3.0}, "cell": {}, "module": {}},
        "product": {"cell": "cell", "ah_per_cell": AH_PER_CELL, "module": "module"},
        "costs": {"energy_price": 0.1, "wage": 20.0},
        "stations": [
            press,
            {
                "name": "assembly",
                "inputs": {"cell": 2},
                "output": {"module": 1},
                "process_time": 0.5,
            },
        ],
        "demand": {"orders": [{"quantity": MODULES, "due": 250.0, "placed": 0.0}]},
    }
    line = Line.model_validate(data, context={"time_unit": "h"})
    assert check_line(line) == []
    return line


GRADES = {
    "bins": [
        {"name": "A", "share": 0.75, "goes_on": True, "value_per_ah": 0.3},
        {"name": "B", "share": 0.25, "value_per_ah": 0.2},
    ]
}


def test_sold_ah_credit_the_cells_sold_as_a_lower_grade() -> None:
    """Delivered: 20 modules x 2 cells x 50 Ah = 2,000 Ah in the window; graded sold: the
    B cells x 50 Ah; sold = their sum, annualised x 300 d x 24 h / 300 h. With nothing
    left in stock or in the line, every good cell made is sold: sold Ah = ah_per_year
    (cells of every grade), and cost per sold Ah = total cost / sold Ah, below the total
    cost over the modules' Ah alone (the reading before the B cells were credited)."""
    line = _line(GRADES)
    kpis = line_kpis(simulate(line, horizon=HORIZON), line)
    assert kpis["graded.A"] == 2 * MODULES  # every A cell went into a delivered module
    b_cells = kpis["graded.B"]
    assert b_cells > 0
    delivered = MODULES * 2 * AH_PER_CELL * YEAR
    graded = b_cells * AH_PER_CELL * YEAR
    assert kpis["delivered_ah_per_year"] == pytest.approx(delivered, rel=1e-12)
    assert kpis["graded_sold_ah_per_year"] == pytest.approx(graded, rel=1e-12)
    assert kpis["sold_ah_per_year"] == pytest.approx(delivered + graded, rel=1e-12)
    assert kpis["sold_ah_per_year"] == pytest.approx(kpis["ah_per_year"], rel=1e-12)
    assert kpis["graded_sold_ah_per_year"] == pytest.approx(kpis["ah_per_year.B"], rel=1e-12)
    total = kpis["cost_total"]
    assert kpis["cost_per_sold_ah"] == pytest.approx(total / (delivered + graded), rel=1e-12)
    assert kpis["cost_per_sold_ah"] < total / delivered


def test_without_lower_grades_sold_ah_are_the_delivered_ones() -> None:
    """Every cell A (no grading): 40 cells made, graded sold 0 Ah, sold Ah = delivered Ah
    = 20 x 2 x 50 Ah x the year factor, and the press is busy exactly 40 h."""
    line = _line(None)
    result = simulate(line, horizon=HORIZON)
    kpis = line_kpis(result, line)
    delivered = MODULES * 2 * AH_PER_CELL * YEAR
    assert kpis["graded_sold_ah_per_year"] == 0.0
    assert kpis["sold_ah_per_year"] == pytest.approx(delivered, rel=1e-12)
    assert math.isclose(result.stations["press"].state_time["busy"], 40.0, rel_tol=1e-12)
