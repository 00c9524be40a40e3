"""Whether a material counts in pieces is a field of the material, and shift calendars are
built once per line in the model."""

from __future__ import annotations

from typing import Any

import pytest

from sim.engine import simulate
from sim.model import Line
from sim.model.calendar import ShiftCalendar
from sim.model.checks import check_line
from sim.model.warnings import line_warnings


def _line(unit: str, discrete: bool | None = None, lot: int = 1) -> Line:
    """A press making ``unit`` of 'part' at 1 / h with 30 % scrap, one lot of ``lot``."""
    material: dict[str, Any] = {"unit": unit}
    if discrete is not None:
        material["discrete"] = discrete
    data = {
        "name": "scrap",
        "release": {"policy": "push"},
        "materials": {"raw": {"unit": "kg"}, "part": material},
        "stations": [
            {
                "name": "press",
                "inputs": {"raw": 1},
                "output": {"part": 1},
                "process_time": 1,
                "lot": lot,
                "scrap": 0.3,
            }
        ],
    }
    return Line.model_validate(data, context={"time_unit": "h"})


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("pcs", True), ("pieces", True), ("units", True), ("m", False), ("kg", False)],
)
def test_discrete_defaults_from_the_unit(unit: str, expected: bool) -> None:
    assert _line(unit).materials["part"].discrete is expected  # type: ignore[index]


def test_discrete_given_wins_over_the_unit() -> None:
    assert _line("cells", discrete=True).materials["part"].discrete is True  # type: ignore[index]
    assert _line("pcs", discrete=False).materials["part"].discrete is False  # type: ignore[index]


def test_misspelt_piece_unit_warns_and_the_field_fixes_it() -> None:
    """``pcss`` used to count silently as a continuous amount: now a warning says so and
    ``discrete: true`` makes it whole pieces in the engine too."""
    warnings = line_warnings(_line("pcss"))
    assert any("materials.part.unit" in w and "did you mean 'pcs'" in w for w in warnings)
    assert not any("materials.part.unit" in w for w in line_warnings(_line("pcss", True)))
    assert not any("materials.part.unit" in w for w in line_warnings(_line("kg")))


def test_scrap_of_a_discrete_material_is_whole_pieces() -> None:
    """A lot of 10 pieces with 30 % scrap loses whole pieces; the same lot in kg loses
    exactly 3 kg a lot (the continuous share)."""
    pieces = simulate(_line("pcss", discrete=True, lot=10), horizon=200, seed=3)
    amount = simulate(_line("pcss", discrete=False, lot=10), horizon=200, seed=3)
    scrapped = pieces.stations["press"].scrapped
    assert scrapped > 0 and scrapped == round(scrapped)
    lots = amount.stations["press"].cycles / 10
    assert amount.stations["press"].scrapped == pytest.approx(3 * lots)


def test_whole_lot_check_follows_the_field() -> None:
    """An output lot of 2.5 is refused for a discrete material whatever its unit's spelling."""
    data: dict[str, Any] = {
        "name": "half",
        "release": {"policy": "push"},
        "materials": {"raw": {"unit": "kg"}, "part": {"unit": "cells", "discrete": True}},
        "stations": [
            {"name": "cut", "inputs": {"raw": 1}, "output": {"part": 2.5}, "process_time": 1}
        ],
    }
    line = Line.model_validate(data, context={"time_unit": "h"})
    assert any(e.path == "stations.cut.lot" for e in check_line(line))


def test_calendars_are_built_once_per_line() -> None:
    """Each station with shifts has one calendar, shared by every reader of the line."""
    data: dict[str, Any] = {
        "name": "shifts",
        "release": {"policy": "push"},
        "shifts": [{"name": "early", "start": 6, "length": 8}, {"name": "late", "start": 14}],
        "stations": [
            {"name": "a", "process_time": 1, "shifts": ["early"]},
            {"name": "b", "process_time": 1},
        ],
    }
    data["shifts"][1]["length"] = 8
    line = Line.model_validate(data, context={"time_unit": "h"})
    assert line.calendars is line.calendars
    assert set(line.calendars) == {"a"}
    assert isinstance(line.calendars["a"], ShiftCalendar)
    assert line.staffed_share("a") == pytest.approx(8 / 24)
    assert line.staffed_share("b") == 1.0
    copy = line.model_copy(update={"shift_cycle": 48.0})
    assert copy.staffed_share("a") == pytest.approx(8 / 48)


def test_engine_reads_the_calendar_from_the_model() -> None:
    import sim.engine.station as engine_station

    assert engine_station.ShiftCalendar is ShiftCalendar
