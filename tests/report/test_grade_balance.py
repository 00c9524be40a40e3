"""The material balance of a line that grades and reworks: sold grades and rework loops
get their own columns, and the columns still add up to the WIP change."""

from __future__ import annotations

import pytest

from sim.engine import simulate
from sim.model.line import Line
from sim.model.serial import as_general
from sim.report.balance import balance_html, material_balance
from sim.report.line_files import station_counts


def _line() -> Line:
    return Line.model_validate(
        {
            "name": "graded",
            "release": {"policy": "conwip", "wip": 6},
            "stations": [
                {"name": "weld", "process_time": {"dist": "exponential", "mean": 1.0}},
                {
                    "name": "leak-test",
                    "process_time": {"dist": "exponential", "mean": 0.8},
                    "scrap": 0.2,
                    "rework": {"share": 0.7, "to": "weld", "max_passes": 3},
                },
                {
                    "name": "grading",
                    "process_time": {"dist": "exponential", "mean": 0.5},
                    "grades": {
                        "bins": [
                            {"name": "A", "share": 0.8, "goes_on": True},
                            {"name": "B", "share": 0.2},
                        ]
                    },
                },
            ],
        },
        context={"time_unit": "h"},
    )


def test_balance_shows_sold_grades_and_rework_and_adds_up() -> None:
    line = _line()
    result = simulate(line, 2000.0, 50.0, seed=3)
    general = as_general(line)
    rows = {
        r.material: r for r in material_balance(general, station_counts(result), result.released)
    }
    reworked = result.stations["leak-test"].rework["reworked"]
    assert reworked > 0
    entry = rows["weld"]  # the jobs waiting for weld: released, and back from rework
    assert entry.back_from_rework == reworked
    assert rows["grading"].sent_to_rework == reworked  # leak-test's output, checked there
    finished = next(r for r in rows.values() if r.taken_by == "finished (shipped)")
    assert finished.sold == result.stations["grading"].graded_sold > 0
    assert finished.taken == result.good
    for row in rows.values():
        assert row.residual == pytest.approx(0.0, abs=1e-9)
    # all WIP changes together are the line's: CONWIP keeps it at 6 jobs
    total = sum(row.wip_change for row in rows.values())
    assert total == pytest.approx(result.wip_end - result.wip_start, abs=1e-9)
    page = balance_html(list(rows.values()), "h", 1)
    assert "sold as grades" in page and "back from rework" in page
