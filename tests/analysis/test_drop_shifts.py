"""A demand that drops shifts (:mod:`sim.model.shift_plan`) against arithmetic.

The line: one press of 1 h a unit (deterministic, capacity 1 unit / h around the clock),
2 operators on a day shift (6 h to 18 h) and a night shift (18 h to 6 h), busy 10 kW and
idle 4 kW. Demand 0.45 units / h, evenly, base stock 8 units (the night's 12 h x 0.45 =
5.4 units come from stock). With a margin of 10 %, the share needed is 0.45 x 1.1 / 1 =
0.495, so one shift of two covers it: the plant works the day shift only, the press is
off 12 h a day (no crew, no power), and the day shift makes the demand (12 units of
capacity a day against 10.8 ordered).
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.model import Line
from sim.model.checks import check_line
from sim.model.shift_plan import shift_plan

HORIZON = 2400.0
"""Measured window: 100 days [h]."""

WARMUP = 240.0
"""Discarded first 10 days [h]: the line starts empty at midnight and makes 1.2 units a
day above demand, so it has its 8 units of stock back within 7 days; the window holds
whole days, 1,200 h of each shift."""

DAYS = 300.0
"""Working days a year [d]."""

SCALE = DAYS * 24.0 / HORIZON
"""Window -> year factor [-]."""

DEMAND = 0.45
"""Demand [units / h]."""

OPERATORS, WAGE, BUSY_KW, IDLE_KW, PRICE = 2.0, 20.0, 10.0, 4.0, 0.1
"""Crew [-], wage [EUR / h], power busy and idle [kW], energy price [EUR / kWh]."""

SHIFTS = [
    {"name": "day", "start": 6.0, "length": 12.0},
    {"name": "night", "start": 18.0, "length": 12.0},
]


def _line(policy: dict[str, Any], rate: float = DEMAND, shifts: Any = None) -> Line:
    data = {
        "name": "press",
        "release": {"policy": "push"},
        "working_days_per_year": DAYS,
        "shifts": SHIFTS if shifts is None else shifts,
        "costs": {"wage": WAGE, "energy_price": PRICE},
        "stations": [
            {
                "name": "press",
                "process_time": 1.0,
                "operators": OPERATORS,
                "power": {"busy": BUSY_KW, "idle": IDLE_KW},
            }
        ],
        "demand": {"rate": f"{rate} /h", "stock": 8, **policy},
    }
    line = Line.model_validate(data, context={"time_unit": "h"})
    assert check_line(line) == []
    return line


DROP = {"below_capacity": "drop-shifts", "capacity": "1 /h", "shift_margin": 0.1}


def test_half_the_demand_works_half_the_shifts() -> None:
    """Demand 0.45 /h: the day shift alone (share 0.5 >= 0.495). Against the same line
    idling: sold output = demand in both (0.45 /h, within one order over the window;
    made within the base stock of 8 units), fill rate 1; direct labour 2 x 0.5 x
    2,400 h x 20 EUR/h x the year factor, half of the idling line's; the press is off
    shift 1,200 h of the 2,400 h and busy as many hours as it made units; energy =
    (busy h x 10 kW + idle h x 4 kW) x 0.1 EUR/kWh, the off hours drawing nothing,
    against 4 kW through them when idling."""
    drop = _line(DROP)
    plan = shift_plan(drop)
    assert plan is not None
    assert plan.worked == ("day",)
    assert plan.share == pytest.approx(0.5)
    assert plan.needed == pytest.approx(DEMAND * 1.1)

    results = {}
    for name, line in (("drop", drop), ("idle", _line({}))):
        result = simulate(line, horizon=HORIZON, warmup=WARMUP)
        results[name] = (result, line_kpis(result, line))
    for _result, kpis in results.values():
        assert kpis["sold_rate"] == pytest.approx(DEMAND, abs=1 / HORIZON)
        # made - sold = the change of finished stock over the window, at most the 8 units
        assert kpis["throughput"] == pytest.approx(DEMAND, abs=8 / HORIZON)
        assert kpis["fill_rate"] == 1.0
    result, kpis = results["drop"]
    idle_result, idle_kpis = results["idle"]
    labour = OPERATORS * 0.5 * HORIZON * WAGE * SCALE
    assert kpis["cost.direct_labour"] == pytest.approx(labour, rel=1e-12)
    assert kpis["cost.direct_labour"] == pytest.approx(
        idle_kpis["cost.direct_labour"] / 2, rel=1e-12
    )
    assert kpis["shifts_worked"] == 1.0
    assert kpis["worked_share"] == 0.5
    assert "shifts_worked" not in idle_kpis
    states = result.stations["press"].state_time
    assert states["off_shift"] == pytest.approx(HORIZON / 2, rel=1e-9)
    assert states["busy"] == pytest.approx(kpis["good"], rel=1e-9)
    energy = (states["busy"] * BUSY_KW + states["idle"] * IDLE_KW) * PRICE * SCALE
    assert kpis["cost.energy"] == pytest.approx(energy, rel=1e-9)
    idle_states = idle_result.stations["press"].state_time
    assert idle_states.get("off_shift", 0.0) == 0.0
    idle_energy = (
        (idle_states["busy"] * BUSY_KW + (HORIZON - idle_states["busy"]) * IDLE_KW) * PRICE * SCALE
    )
    assert idle_kpis["cost.energy"] == pytest.approx(idle_energy, rel=1e-9)


def test_the_margin_keeps_a_shift() -> None:
    """Demand 0.46 /h needs 0.46 x 1.1 = 0.506 of capacity, more than one shift of two
    (0.5): both shifts are worked, share 1."""
    plan = shift_plan(_line(DROP, rate=0.46))
    assert plan is not None
    assert plan.worked == ("day", "night")
    assert plan.share == pytest.approx(1.0)


def test_three_shifts_are_cut_in_the_pattern_order() -> None:
    """Three shifts of 8 h (early, late, night) and demand 0.6 /h: 0.6 x 1.1 = 0.66 of
    capacity needs two shifts (2 / 3 = 0.667), the early and the late, night dropped."""
    shifts = [
        {"name": "early", "start": 6.0, "length": 8.0},
        {"name": "late", "start": 14.0, "length": 8.0},
        {"name": "night", "start": 22.0, "length": 8.0},
    ]
    plan = shift_plan(_line(DROP, rate=0.6, shifts=shifts))
    assert plan is not None
    assert plan.worked == ("early", "late")
    assert plan.share == pytest.approx(2 / 3)


def test_drop_shifts_needs_a_shift_pattern_and_a_capacity() -> None:
    """Without shifts: an error at demand.below_capacity naming the fix; without
    capacity: refused by the schema, naming capacity."""
    data = {
        "name": "press",
        "release": {"policy": "push"},
        "stations": [{"name": "press", "process_time": 1.0}],
        "demand": {"rate": "0.45 /h", **DROP},
    }
    line = Line.model_validate(data, context={"time_unit": "h"})
    errors = check_line(line)
    assert [e.path for e in errors] == ["demand.below_capacity"]
    assert "shift pattern" in str(errors[0])
    without = {**data, "demand": {"rate": "0.45 /h", "below_capacity": "drop-shifts"}}
    with pytest.raises(ValueError, match="needs capacity"):
        Line.model_validate(without, context={"time_unit": "h"})


def _oven(policy: dict[str, Any]) -> Line:
    """A batch oven of 10 cycles, 20 h a batch (capacity 0.5 units / h), demand 0.25 /h
    in orders of 10 with a base stock of 10: the stock's 10 units are released at 0."""
    data = {
        "name": "oven",
        "release": {"policy": "push"},
        "shifts": SHIFTS,
        "stations": [{"name": "oven", "process_time": 20.0, "batch": {"size": 10}}],
        "demand": {"rate": "0.25 /h", "order_size": 10, "stock": 10, **policy},
    }
    line = Line.model_validate(data, context={"time_unit": "h"})
    assert check_line(line) == []
    return line


def test_a_batch_station_finishes_its_cycle_through_a_dropped_shift() -> None:
    """0.25 x 1.1 / 0.5 = 0.55 of capacity needs both shifts; with no margin, 0.5: the day
    shift alone. The oven, off until 6 h, starts the batch at 6 h and runs its 20 h on
    through the dropped night to 26 h (paused at 18 h it would end at 38 h): in 30 h it
    makes the 10 units, busy 20 h and off shift 0 h to 6 h and 26 h to 30 h (10 h)."""
    oven = {**DROP, "capacity": "0.5 /h"}
    with_margin = shift_plan(_oven({**oven, "shift_margin": 0.1}))
    assert with_margin is not None and with_margin.worked == ("day", "night")
    line = _oven({**oven, "shift_margin": 0.0})
    plan = shift_plan(line)
    assert plan is not None and plan.worked == ("day",)
    result = simulate(line, horizon=30.0)
    states = result.stations["oven"].state_time
    assert line_kpis(result, line)["good"] == 10.0
    assert states["busy"] == pytest.approx(20.0)
    assert states["off_shift"] == pytest.approx(10.0)
    # the same oven on a day shift of its own, pausing at 18 h: nothing made by 30 h
    paused = _oven({}).model_dump()
    paused["stations"][0]["shifts"] = ["day"]
    paused_line = Line.model_validate(paused, context={"time_unit": "h"})
    assert line_kpis(simulate(paused_line, horizon=30.0), paused_line)["good"] == 0.0
