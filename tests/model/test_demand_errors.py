"""A scenario's demand: it loads onto its line, and bad input gets a located error."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_scenario
from sim.model.demand_plan import demand_plan

ROOT = Path(__file__).resolve().parents[2]

LINE = """\
name: cells
time_unit: h
working_days_per_year: 330
release:
  policy: push
product: {cell: cell, ah_per_cell: 50}
materials:
  powder: {unit: kg}
  cell: {}
stations:
  - name: assembly
    process_time: 0.01
    inputs: {powder: 2}
    output: {cell: 1}
"""

SCENARIO = """\
line: line.yaml
horizon: 10 d
demand:
{demand}
"""
DEMAND_LINE = 4
"""File line of the first line of the ``demand:`` body."""


def _load(tmp_path: Path, demand: str, line: str = LINE) -> object:
    (tmp_path / "line.yaml").write_text(line, encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO.format(demand=demand), encoding="utf-8")
    return load_scenario(scenario)


def _error(tmp_path: Path, demand: str, line: str = LINE) -> ConfigError:
    with pytest.raises(LinesimError) as caught:
        _load(tmp_path, demand, line)
    error = caught.value
    if isinstance(error, ConfigErrors):
        assert len(error.errors) == 1, str(error)
        error = error.errors[0]
    assert isinstance(error, ConfigError)
    return error


def test_a_rate_in_ah_becomes_cells_per_hour(tmp_path: Path) -> None:
    """240 M Ah a year of 50 Ah cells over 330 d x 24 h is 4.8 M cells / 7,920 h."""
    scenario = _load(tmp_path, '  rate: "240 M Ah/yr"\n  stock: 100')
    plan = demand_plan(scenario.line)  # type: ignore[attr-defined]
    assert plan is not None
    assert plan.material == "cell"
    assert plan.rates == pytest.approx((240e6 / 50 / 7920,))
    assert plan.stock == 100


@pytest.mark.parametrize(
    ("demand", "path", "row", "words"),
    [
        ('  rate: "5 M kg/yr"', "demand.rate", 0, "unknown quantity 'kg'"),
        ('  rate: "5 M cells"', "demand.rate", 0, "not a rate with its unit"),
        ('  rate: "20 modules/yr"', "demand.rate", 0, "names no module material"),
        (
            "  orders:\n    - {quantity: 5, due: 10 h}\n    - {quantity: 5, due: 20 h, product: x}",
            "demand.orders.1.product",
            2,
            "the line sells 'cell', not 'x'",
        ),
        ('  rate: "1 /h"\n  order_size: 2.5', "demand.order_size", 1, "whole number"),
        ('  rate: "1 /h"\n  orders: [{quantity: 1, due: 1}]', "demand", -1, "exactly one of"),
        ('  monthly: {1: "1 /h", 3: "2 /h"}', "demand", -1, "without gaps"),
        ("  orders:\n    - {quantity: 5, due: 1 h, placed: 2 h}", "demand.orders.0", 1, "placed"),
        ('  rate: "1 /h"\n  stock: -1', "demand.stock", 1, "greater than or equal to 0"),
        (
            '  rate: "1 /h"\n  below_capacity: drop-shifts\n  capacity: "2 /h"',
            "demand.below_capacity",
            1,
            "the line has no shifts",
        ),
        ('  rate: "1 /h"\n  below_capacity: drop-shifts', "demand", -1, "needs capacity"),
        (
            '  orders: [{quantity: 1, due: 1}]\n  below_capacity: drop-shifts\n  capacity: "2 /h"',
            "demand",
            -1,
            "give rate or monthly",
        ),
    ],
)
def test_bad_demand_is_located_in_the_scenario(
    tmp_path: Path, demand: str, path: str, row: int, words: str
) -> None:
    """Each error names the scenario file, the demand's YAML path and its line."""
    error = _error(tmp_path, demand)
    assert error.file == str(tmp_path / "scenario.yaml")
    assert error.path == path
    assert error.line == DEMAND_LINE + row
    assert words in error.message


def test_a_capacity_in_a_unit_the_line_has_not_is_located(tmp_path: Path) -> None:
    """drop-shifts on a line with shifts reads capacity as it reads a rate: an unknown
    unit is an error at demand.capacity, on its line of the scenario."""
    shifted = LINE + "shifts:\n  - {name: day, start: 6, length: 12}\n"
    demand = '  rate: "1 /h"\n  below_capacity: drop-shifts\n  capacity: "2 M kg/yr"'
    error = _error(tmp_path, demand, shifted)
    assert error.path == "demand.capacity"
    assert error.line == DEMAND_LINE + 2
    assert "unknown quantity 'kg'" in error.message


def test_a_demand_refuses_an_assumed_plant_load(tmp_path: Path) -> None:
    """``costs.load`` assumes what a demand simulates: the error says to remove it."""
    line = LINE + "costs: {load: 0.8}\n"
    error = _error(tmp_path, '  rate: "1 /h"', line)
    assert error.path == "costs.load"
    assert error.file == str(tmp_path / "line.yaml")
    assert "remove costs.load" in error.message


def test_a_demand_needs_a_push_release(tmp_path: Path) -> None:
    """CONWIP and arrivals are release rules of their own: the demand's would clash."""
    line = LINE.replace("  policy: push", "  policy: conwip\n  wip: 3")
    error = _error(tmp_path, '  rate: "1 /h"', line)
    assert error.path == "release"
    assert "policy: push" in error.message


def test_the_example_scenario_loads_a_demand_of_modules() -> None:
    """scenarios/demand_80.yaml sells modules of 12 cells x 50 Ah: 216 M Ah a year is
    360,000 modules a year, 45.45 modules / h over 7,920 h."""
    scenario = load_scenario(ROOT / "scenarios" / "demand_80.yaml")
    plan = demand_plan(scenario.line)
    assert plan is not None
    assert plan.material == "module"
    assert plan.rates == pytest.approx((216e6 / 600 / 7920,))


def test_a_line_without_demand_dumps_as_before() -> None:
    """No ``demand`` key in the dump of a line without one (results-folder hashes)."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert scenario.line.demand is None
    assert "demand" not in scenario.line.model_dump(mode="json")


def test_an_override_of_the_demand_is_blamed_on_the_override(tmp_path: Path) -> None:
    """``--set demand.rate=...`` that is wrong names the command line, not the file."""
    (tmp_path / "line.yaml").write_text(LINE, encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO.format(demand='  rate: "1 /h"'), encoding="utf-8")
    with pytest.raises(LinesimError) as caught:
        load_scenario(scenario, {"demand.rate": "5 M kg/yr"})
    error = caught.value
    if isinstance(error, ConfigErrors):
        error = error.errors[0]
    assert isinstance(error, ConfigError)
    assert error.file is None
    assert error.path == "demand.rate"
    assert "unknown quantity 'kg'" in error.message
