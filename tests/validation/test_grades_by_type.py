"""Grades by type against theory: each type of a mix is graded by the station's
distribution, so each type's observed grade shares estimate its probabilities.

Types cannot change a station's grading, so both types of these lines share it; what is
checked is that the engine tells the types' grades apart (each type's count is a
multinomial draw of its own cells), that a type's shares sum to 1, and that the types'
units of a grade add up to the line's (conservation). Rejects below the lowest grade are
not among a type's graded units: with measured capacity the shares by type are the grade
probabilities over 1 - P(reject).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import norm

from sim.analysis.kpis import line_kpis
from sim.analysis.units import kpi_unit
from sim.model.line import Line

from .harness import Runs, assert_ci, make_line, replicate

TIGHT = 0.02
"""Largest 99.9 % half-width relative to the theory [-] for the largest grade: its 95 %
interval is then within about 1.1 %."""

TYPES = ("a", "b")


def _mixed_grading(grades: dict[str, Any]) -> Line:
    """A maker ``make`` (the release, 1 min a cell, lots of 24) making type a for 3 lots,
    then b for 1, and a grading station after it (0.5 min a cell) grading both types
    with ``grades``; type a's cells are 50 Ah, b's 100 Ah."""
    return make_line(
        {
            "name": "graded-mix",
            "release": {"policy": "push"},
            "materials": {
                "raw": {"unit": "pcs"},
                "cell": {"unit": "pcs"},
                "graded": {"unit": "pcs"},
            },
            "product": {"cell": "graded", "ah_per_cell": 50},
            "stations": [
                {
                    "name": "make",
                    "inputs": {"raw": 1},
                    "output": {"cell": 1},
                    "process_time": "1 min",
                    "lot": 24,
                },
                {
                    "name": "grading",
                    "inputs": {"cell": 1},
                    "output": {"graded": 1},
                    "process_time": "0.5 min",
                    "lot": 24,
                    "grades": grades,
                },
            ],
            "products": {
                "release_at": "make",
                "types": {"a": {"ah_per_cell": 50}, "b": {"ah_per_cell": 100}},
                "sequence": {"lots": {"a": 3, "b": 1}},
            },
        }
    )


def _check_types(runs: Runs, line: Line, expected: dict[str, float], case: str) -> None:
    """Each type's grade shares in their interval about ``expected`` [-], summing to 1;
    the types' units of each grade sum to the line's; Ah a year at the type's Ah."""
    kpis = [line_kpis(result, line) for result in runs.results]
    largest = max(expected, key=lambda grade: expected[grade])
    for name in TYPES:
        for grade, share in expected.items():
            observed = [k[f"product.{name}.grade.{grade}.share"] for k in kpis]
            # type b is a quarter of the cells, so its smaller grades scatter more
            allowed = TIGHT if grade == largest else 0.05
            assert_ci(runs, f"{case}: type {name} grade {grade}", observed, share, allowed)
    ah_per_cell = {"a": 50.0, "b": 100.0}
    for k in kpis:
        for name in TYPES:
            shares = [k[f"product.{name}.grade.{grade}.share"] for grade in expected]
            assert sum(shares) == pytest.approx(1.0, rel=1e-12)
            for grade in expected:
                prefix = f"product.{name}.grade.{grade}"
                assert k[f"{prefix}.ah_per_year"] == pytest.approx(
                    k[f"{prefix}.cells_per_year"] * ah_per_cell[name], rel=1e-12
                )
        for grade in expected:
            units = sum(k[f"product.{name}.grade.{grade}.graded"] for name in TYPES)
            assert units == pytest.approx(k[f"graded.{grade}"], rel=1e-12, abs=1e-9)
    # the types' graded cells follow their campaigns, 3 lots of a to 1 of b (within a lot)
    totals = {
        name: np.array([sum(k[f"product.{name}.grade.{g}.graded"] for g in expected) for k in kpis])
        for name in TYPES
    }
    assert totals["a"] / totals["b"] == pytest.approx(np.full(len(kpis), 3.0), rel=0.02)


def test_given_shares_by_type() -> None:
    """Shares A 0.7, B 0.2, C 0.1 for both types (A goes on, B and C sold): each type's
    share of each grade is that probability; 20 replications of 500 h (about 22 500 cells
    of a and 7 500 of b each; the 99.9 % half-width of A is under 1 % of 0.7 for both
    types, asserted under 2 %, and under 5 % for B and C)."""
    shares = {"A": 0.7, "B": 0.2, "C": 0.1}
    line = _mixed_grading(
        {"bins": [{"name": n, "share": s, "goes_on": n == "A"} for n, s in shares.items()]}
    )
    runs = replicate(line, horizon=500.0, warmup=10.0, replications=20)
    _check_types(runs, line, shares, "given shares")


def test_measured_capacity_by_type() -> None:
    """Measured capacity normal(1.00, 0.03) of nominal, A >= 1.00, B >= 0.97, C >= 0.94,
    rejects below (P = 0.0228, scrapped, not among the graded units): each type's shares
    are P(grade) / (1 - P(reject)), A = 0.5 / 0.9772 = 0.5117, B = 0.3493, C = 0.1391;
    20 replications of 500 h."""
    mean, sd = 1.00, 0.03
    line = _mixed_grading(
        {
            "measured": {"mean": mean, "sd": sd},
            "bins": [
                {"name": "A", "min": 1.00, "goes_on": True},
                {"name": "B", "min": 0.97},
                {"name": "C", "min": 0.94},
            ],
        }
    )
    cdf = norm(mean, sd).cdf
    kept = 1.0 - cdf(0.94)
    expected = {
        "A": (1.0 - cdf(1.00)) / kept,
        "B": (cdf(1.00) - cdf(0.97)) / kept,
        "C": (cdf(0.97) - cdf(0.94)) / kept,
    }
    runs = replicate(line, horizon=500.0, warmup=10.0, replications=20)
    _check_types(runs, line, expected, "measured capacity")


def test_units_of_grades_by_type() -> None:
    """A type's grade share is unitless, its graded units are the grading station's
    output as the line's graded units, its cells and Ah a year as the line's."""
    line = _mixed_grading({"bins": [{"name": "A", "share": 1.0, "goes_on": True}]})
    assert kpi_unit("product.a.grade.A.share", line) == "-"
    assert kpi_unit("product.a.grade.A.graded", line) == kpi_unit("graded.A", line)
    assert kpi_unit("graded.A", line) == "pcs of graded"
    assert kpi_unit("product.b.grade.A.cells_per_year", line) == "cells / year"
    assert kpi_unit("product.b.grade.A.ah_per_year", line) == "Ah / year"


def test_grading_before_the_release_gives_no_type_grades() -> None:
    """A grading station upstream of the release sees lots without a type: no KPI by
    type and grade, the line's grade KPIs as before."""
    line = make_line(
        {
            "name": "graded-before-mix",
            "release": {"policy": "push"},
            "stations": [
                {
                    "name": "grading",
                    "process_time": "1 min",
                    "grades": {"bins": [{"name": "A", "share": 1.0, "goes_on": True}]},
                },
                {"name": "make", "process_time": "1 min"},
            ],
            "products": {
                "release_at": "make",
                "types": {"a": {}, "b": {}},
                "sequence": {"lots": {"a": 1, "b": 1}},
            },
        }
    )
    runs = replicate(line, horizon=50.0, warmup=0.0, replications=1)
    kpis = line_kpis(runs.results[0], line)
    assert kpis["graded.A"] > 0
    assert not [name for name in kpis if ".grade." in name]
