"""The cost, energy and labour roll-up (:func:`sim.analysis.costs.cost_kpis`) by hand.

Lines are built in code with bare times in hours. The deterministic line has constant
process times and no failures, so every machine state time is exact and every cost
category has a closed form; each docstring states the known answer and how it follows
from the definitions in :mod:`sim.analysis.costs`. Flows over the window are annualised
by ``working_days_per_year x 24 h / window``.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from sim.analysis.costs import COST_CATEGORIES
from sim.analysis.kpis import line_kpis
from sim.engine import ReplicationResult, simulate
from sim.model import Line
from sim.model.checks import check_line

REL = 1e-9
"""Relative tolerance of every hand-computed comparison [-]."""

HORIZON = 100.0
"""Measured window [h]."""

WARMUP = 0.25
"""Discarded start [h]: puts the window edges off the cycle completions (at whole hours)."""

DAYS = 300.0
"""Working days a year of the test lines [d]."""

SCALE = DAYS * 24.0 / HORIZON
"""Window -> year factor [-]: working_days_per_year x 24 h / window length."""

POWER_STATE = {
    "busy": "busy",
    "idle": "idle",
    "blocked": "idle",
    "setup": "idle",
    "minor_stop": "idle",
    "off_shift": "idle",
    "down": "down",
    "maintenance": "down",
}
"""Which power figure each machine state draws, as documented on :class:`Power`."""


def close(actual: float, expected: float) -> bool:
    """Whether ``actual`` equals ``expected`` within :data:`REL` (relative)."""
    return math.isclose(actual, expected, rel_tol=REL, abs_tol=0.0)


def build(data: dict[str, Any]) -> Line:
    """Validate a general line whose bare times are hours; it must pass the line checks."""
    line = Line.model_validate(data, context={"time_unit": "h"})
    assert check_line(line) == []
    return line


COSTS: dict[str, Any] = {
    "currency": "EUR",
    "energy_price": 0.15,
    "base_load": 20.0,
    "wage": 30.0,
    "indirect_staff": 10.0,
    "indirect_wage": 40.0,
    "hours_per_person": 1800.0,
    "depreciation_years": 8.0,
    "maintenance_share": 0.03,
    "building": {"capex": 1_000_000.0, "years": 25.0},
    "overhead": {"labour": 0.5, "depreciation": 0.25},
}
"""Plant-wide rates of the test lines."""


def two_station_line() -> Line:
    """raw -> A -> mid -> B -> cell, constant times, no failures, no scrap.

    A: 2 machines x 2 h per cycle, 1 raw (2.5 EUR) -> 1 mid; capex 100 k per machine,
    power 30/5/10 kW, 2 operators, own maintenance share 5 %, 100 EUR a repair.
    B: 1 machine x 0.5 h per cycle, 1 mid -> 1 cell of 50 Ah, 3.2 V; capex 50 k, power
    12/3/4 kW, 1.5 operators, the line's maintenance share 3 %.
    """
    return build(
        {
            "name": "two-station",
            "release": {"policy": "push"},
            "working_days_per_year": DAYS,
            "materials": {"raw": {"unit": "kg", "price": 2.5}, "mid": {}, "cell": {}},
            "product": {"cell": "cell", "ah_per_cell": 50.0, "voltage": 3.2},
            "costs": COSTS,
            "stations": [
                {
                    "name": "A",
                    "machines": 2,
                    "inputs": {"raw": 1},
                    "output": {"mid": 1},
                    "process_time": 2,
                    "capex": 100_000.0,
                    "power": {"busy": 30.0, "idle": 5.0, "down": 10.0},
                    "operators": 2,
                    "maintenance_cost": {"share": 0.05, "per_repair": 100.0},
                },
                {
                    "name": "B",
                    "inputs": {"mid": 1},
                    "output": {"cell": 1},
                    "process_time": 0.5,
                    "capex": 50_000.0,
                    "power": {"busy": 12.0, "idle": 3.0, "down": 4.0},
                    "operators": 1.5,
                },
            ],
        }
    )


@pytest.fixture(scope="module")
def deterministic() -> tuple[Line, ReplicationResult, dict[str, float]]:
    """The two-station line over [0.25 h, 100.25 h], its result and its KPIs."""
    line = two_station_line()
    result = simulate(line, HORIZON, WARMUP, 1, 0)
    return line, result, line_kpis(result, line)


def test_state_times_are_exact(
    deterministic: tuple[Line, ReplicationResult, dict[str, float]],
) -> None:
    """Known answer: both A machines finish a cycle at every even hour, so A is busy the
    whole window (2 x 100 = 200 machine-h) and completes 2 x 50 = 100 cycles in it
    (t = 2, 4, ..., 100). B gets 2 mid at each even hour 2k and works [2k, 2k + 1]: fully
    for k = 1..49 and [100, 100.25] at the end, so busy 49.25 h, idle 50.75 h, 98 cycles
    (the two started at 100 finish after the window)."""
    _, result, _ = deterministic
    a, b = result.stations["A"], result.stations["B"]
    assert a.state_time["busy"] == pytest.approx(200.0, rel=REL)
    assert sum(a.state_time.values()) == pytest.approx(200.0, rel=REL)
    assert a.cycles == 100
    assert b.state_time["busy"] == pytest.approx(49.25, rel=REL)
    assert b.state_time["idle"] == pytest.approx(50.75, rel=REL)
    assert b.cycles == 98
    assert b.units_out == 98


def test_cost_roll_up_by_hand(
    deterministic: tuple[Line, ReplicationResult, dict[str, float]],
) -> None:
    """Known answer, with SCALE = 300 d x 24 h / 100 h = 72:

    - materials = 100 A cycles x 1 kg x 2.5 EUR x 72 = 18,000;
    - energy = (20 kW x 100 h + 30 kW x 200 h + 12 kW x 49.25 h + 3 kW x 50.75 h)
      x 72 x 0.15 EUR/kWh = 8,743.25 kWh x 72 x 0.15 = 94,427.1;
    - direct labour = (2 + 1.5) operators x 100 h x 72 x 30 EUR/h = 756,000;
    - indirect labour = 10 people x 1,800 h x 40 EUR/h = 720,000;
    - maintenance = 200 k x 5 % + 50 k x 3 % + 0 repairs = 11,500;
    - depreciation = 250 k / 8 a + 1 M / 25 a = 71,250;
    - overhead = 0.5 x 756,000 + 0.25 x 71,250 = 395,812.5;
    - cost_total = their sum = 2,066,989.6; ah_per_year = 98 / 100 h x 7,200 h x 50 Ah =
      352,800 Ah; cost_per_ah = total / Ah; conversion_cost_per_ah = (total - materials)
      / Ah; energy_kwh_per_kwh = 8,743.25 x 72 / (352,800 x 3.2 / 1000);
      labour_hours = 3.5 x 100 x 72 + 10 x 1,800 = 43,200, per million Ah = 43,200 /
      0.3528; capex = 2 x 100 k + 50 k + 1 M building = 1.25 M;
    - operating cost (opex) = energy + direct + indirect labour + maintenance + the
      overhead on labour (0.5 x direct) + the materials of scrapped units (none here):
      the total without materials, depreciation and the overhead on depreciation.
    """
    _, _, kpis = deterministic
    energy_kwh = (20.0 * 100.0 + 30.0 * 200.0 + 12.0 * 49.25 + 3.0 * 50.75) * SCALE
    direct = (2.0 + 1.5) * 100.0 * SCALE * 30.0
    depreciation = (2 * 100_000.0 + 50_000.0) / 8.0 + 1_000_000.0 / 25.0
    expected = {
        "materials": 100 * 1 * 2.5 * SCALE,
        "energy": energy_kwh * 0.15,
        "direct_labour": direct,
        "indirect_labour": 10.0 * 1800.0 * 40.0,
        "maintenance": 200_000.0 * 0.05 + 50_000.0 * 0.03,
        "depreciation": depreciation,
        "overhead": 0.5 * direct + 0.25 * depreciation,
    }
    assert set(COST_CATEGORIES) == set(expected)
    for name, value in expected.items():
        assert close(kpis[f"cost.{name}"], value), (name, kpis[f"cost.{name}"], value)
    assert close(expected["energy"], 94_427.1)
    assert close(expected["overhead"], 395_812.5)
    total = sum(expected.values())
    assert close(total, 2_066_989.6)
    ah = 98 / HORIZON * DAYS * 24.0 * 50.0
    assert close(kpis["ah_per_year"], ah)
    labour_hours = 3.5 * 100.0 * SCALE + 10.0 * 1800.0
    assert close(kpis["cost_total"], total)
    assert close(kpis["cost_per_ah"], total / ah)
    assert close(kpis["conversion_cost_per_ah"], (total - expected["materials"]) / ah)
    assert close(kpis["energy_kwh"], energy_kwh)
    assert close(kpis["energy_kwh_per_kwh"], energy_kwh / (ah * 3.2 / 1000.0))
    assert close(kpis["labour_hours"], labour_hours)
    assert close(kpis["labour_hours_per_mah"], labour_hours / (ah / 1e6))
    assert close(kpis["ah_per_labour_hour"], ah / labour_hours)
    assert close(kpis["capex"], 1_250_000.0)
    assert kpis["scrap_cost"] == 0.0
    operating = total - expected["materials"] - depreciation * 1.25
    assert close(kpis["operating_cost"], operating)
    assert close(kpis["operating_cost_per_ah"], operating / ah)
    assert kpis["scrap_materials"] == 0.0


def test_staffed_share_of_a_shift_station() -> None:
    """Known answer: a station staffed only in a 12 h day shift of a 24 h pattern has half
    the direct hours of one staffed all the time: direct labour = (4 x 0.5 + 1 x 1)
    operators x 100 h x 72 x 30 EUR/h = 648,000 (the shift station's state times do not
    enter). Overhead follows at 0.5 x direct labour + 0.25 x depreciation."""
    data = two_station_line().model_dump(by_alias=True)
    data["shifts"] = [{"name": "day", "start": 6.0, "length": 12.0}]
    data["stations"][0].update(operators=4.0, shifts=["day"])
    data["stations"][1].update(operators=1.0)
    line = build(data)
    result = simulate(line, HORIZON, WARMUP, 1, 0)
    kpis = line_kpis(result, line)
    direct = (4.0 * 0.5 + 1.0) * 100.0 * SCALE * 30.0
    assert close(kpis["cost.direct_labour"], direct)
    depreciation = (2 * 100_000.0 + 50_000.0) / 8.0 + 1_000_000.0 / 25.0
    assert close(kpis["cost.overhead"], 0.5 * direct + 0.25 * depreciation)
    assert result.stations["A"].state_time["off_shift"] > 0


def random_line() -> Line:
    """raw -> A -> mid (buffer 5) -> soak (a delay) -> soaked -> B -> cell, with random
    failures on A and B, minor stops, setups, planned maintenance and a day shift on A,
    and a distinct power figure for every mapped state. The soak (8 units for 3 h, 2.7 per
    hour) paces the line, so A (about 3.7 per hour on shift) blocks and B (about 3.4 per
    hour) waits."""
    return build(
        {
            "name": "random",
            "release": {"policy": "push"},
            "working_days_per_year": DAYS,
            "shifts": [{"name": "day", "start": 0.0, "length": 20.0}],
            "materials": {
                "raw": {"price": 1.0},
                "mid": {"buffer": 5},
                "soaked": {"buffer": 5},
                "cell": {},
            },
            "product": {"cell": "cell", "ah_per_cell": 10.0},
            "costs": COSTS,
            "stations": [
                {
                    "name": "A",
                    "machines": 2,
                    "inputs": {"raw": 1},
                    "output": {"mid": 1},
                    "process_time": {"dist": "exponential", "mean": 0.4},
                    "failures": {"mtbf": 6.0, "mttr": 1.0},
                    "minor_stops": {"mtbf": 2.0, "duration": 0.05},
                    "setup": {"interval": 10.0, "time": 0.5},
                    "maintenance": {"every": 30.0, "duration": 2.0},
                    "shifts": ["day"],
                    "capex": 80_000.0,
                    "power": {"busy": 17.0, "idle": 2.5, "down": 7.0},
                    "maintenance_cost": {"per_repair": 250.0},
                },
                {
                    "name": "soak",
                    "kind": "delay",
                    "inputs": {"mid": 1},
                    "output": {"soaked": 1},
                    "process_time": 3.0,
                    "capacity": 8,
                    "power": {"busy": 6.0},
                },
                {
                    "name": "B",
                    "inputs": {"soaked": 1},
                    "output": {"cell": 1},
                    "process_time": {"dist": "exponential", "mean": 0.25},
                    "failures": {"mtbf": 8.0, "mttr": 1.5, "basis": "calendar"},
                    "capex": 40_000.0,
                    "power": {"busy": 11.0, "idle": 1.5, "down": 3.5},
                    "maintenance_cost": {"share": 0.1, "per_repair": 80.0},
                },
            ],
        }
    )


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_energy_is_power_times_time_in_state(replication: int) -> None:
    """Known answer: energy [kWh a year] = (base load x window + sum over machine stations
    and states of state time x power of the mapped state + delay busy power x window) x
    SCALE, computed from ``result.stations[name].state_time``; the roll-up's
    ``cost.energy / energy_price`` and ``energy_kwh`` equal it. Maintenance = capex x
    share + repairs x cost per repair x SCALE."""
    line = random_line()
    result = simulate(line, HORIZON, 10.0, 7, replication)
    kpis = line_kpis(result, line)
    a, b = result.stations["A"], result.stations["B"]
    for state in (
        "busy",
        "idle",
        "blocked",
        "down",
        "setup",
        "minor_stop",
        "maintenance",
        "off_shift",
    ):
        assert a.state_time[state] + b.state_time[state] > 0, state  # every state is used
    assert b.state_time["down"] > 0 and a.repairs > 0 and b.repairs > 0
    powers = {
        "A": {"busy": 17.0, "idle": 2.5, "down": 7.0},
        "B": {"busy": 11.0, "idle": 1.5, "down": 3.5},
    }
    window_kwh = 20.0 * HORIZON + 6.0 * HORIZON
    for name, power in powers.items():
        for state, time in result.stations[name].state_time.items():
            window_kwh += time * power[POWER_STATE[state]]
    assert close(kpis["cost.energy"] / COSTS["energy_price"], window_kwh * SCALE)
    assert close(kpis["energy_kwh"], window_kwh * SCALE)
    maintenance = (
        2 * 80_000.0 * 0.03 + 40_000.0 * 0.1 + (a.repairs * 250.0 + b.repairs * 80.0) * SCALE
    )
    assert close(kpis["cost.maintenance"], maintenance)
    assert close(kpis["cost.materials"], a.cycles * 1.0 * SCALE)


def test_plant_load_spreads_fixed_costs_over_sold_ah() -> None:
    """Known answer at half load (``costs.load: 0.5``, no target: the nameplate is the
    output): the plant sells and makes half of what it can, so its variable costs
    (materials, machine energy; the 20 kW base load stays) halve, every other cost stays,
    and each is spread over the sold Ah:

    cost_per_sold_ah = (total - 0.5 x (materials + machine energy)) / (0.5 x Ah);
    conversion_cost_per_sold_ah = (total - materials - 0.5 x machine energy) / (0.5 x Ah);
    operating cost per sold Ah the same without depreciation and its overhead;
    sold Ah per labour hour = 0.5 x Ah / labour hours. At load 1 each equals its
    made-Ah KPI."""
    base = two_station_line()
    half = base.model_copy(update={"costs": base.costs.model_copy(update={"load": 0.5})})
    result = simulate(half, HORIZON, WARMUP, 1, 0)
    kpis = line_kpis(result, half)
    full = line_kpis(simulate(base, HORIZON, WARMUP, 1, 0), base)
    ah = full["ah_per_year"]
    total = full["cost_total"]
    materials = full["cost.materials"]
    machine_energy = full["cost.energy"] - 20.0 * HORIZON * SCALE * 0.15
    assert close(kpis["sold_ah_per_year"], 0.5 * ah)
    assert close(
        kpis["cost_per_sold_ah"], (total - 0.5 * (materials + machine_energy)) / (0.5 * ah)
    )
    assert close(
        kpis["conversion_cost_per_sold_ah"],
        (total - materials - 0.5 * machine_energy) / (0.5 * ah),
    )
    assert close(
        kpis["operating_cost_per_sold_ah"],
        (full["operating_cost"] - 0.5 * machine_energy) / (0.5 * ah),
    )
    assert close(kpis["sold_ah_per_labour_hour"], 0.5 * ah / full["labour_hours"])
    for made, sold in (
        ("cost_per_ah", "cost_per_sold_ah"),
        ("conversion_cost_per_ah", "conversion_cost_per_sold_ah"),
        ("operating_cost_per_ah", "operating_cost_per_sold_ah"),
    ):
        assert close(full[sold], full[made])
