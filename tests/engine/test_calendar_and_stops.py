"""Minor stops, failures, shifts, planned maintenance and setups on one saturated machine.

The machine draws unlimited raw material and gives a finished material, so it never waits
or blocks: every loss comes from the mechanism under test, and each docstring states the
known answer (exact for constant times, else inside a 99.9 % Student-t interval).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from engine_helpers import assert_in_ci

from sim.analysis.kpis import station_kpis
from sim.engine import simulate
from sim.model import Line
from sim.model.checks import check_line


def saturated(station: dict[str, Any], **line: Any) -> Line:
    """One station ``m`` from raw material to a finished material, checked."""
    data = {
        "name": "one",
        "release": {"policy": "push"},
        "materials": {"raw": {"unit": "pcs"}, "out": {"unit": "pcs"}},
        "stations": [{"name": "m", "inputs": {"raw": 1}, "output": {"out": 1}, **station}],
        **line,
    }
    model = Line.model_validate(data, context={"time_unit": "h"})
    assert check_line(model) == []
    return model


def kpis_of(line: Line, horizon: float, replications: int) -> dict[str, np.ndarray]:
    """Station KPIs of ``m`` over independent replications, one array per KPI."""
    rows = [
        station_kpis(simulate(line, horizon, 0.0, seed=1, replication=r).stations["m"], horizon)
        for r in range(replications)
    ]
    return {kpi: np.array([row[kpi] for row in rows]) for kpi in rows[0]}


# ----------------------------------------------------------------------------- stops

CYCLE = 0.05
"""Constant time per piece [h]: 20 pieces/h at full speed."""

STOP = {"mtbf": 4, "duration": 0.5}
"""Minor stops or failures: 4 h of processing between stops of 0.5 h (both exponential)."""


def test_minor_stops_cost_performance_not_availability() -> None:
    """Stops after exponential 4 h of processing, lasting exponential 0.5 h: the machine
    processes 4 / 4.5 of the time, so performance = 0.889 and TH = 20 x 0.889 = 17.78/h,
    while availability stays exactly 1 (no down time, no setups)."""
    line = saturated({"process_time": CYCLE, "lot": 20, "minor_stops": STOP})
    kpis = kpis_of(line, 5000.0, 40)
    share = STOP["mtbf"] / (STOP["mtbf"] + STOP["duration"])
    assert (kpis["availability"] == 1.0).all()
    assert (kpis["down"] == 0).all()
    assert_in_ci(kpis["performance"], share, "performance")
    assert_in_ci(kpis["throughput"], share / CYCLE, "throughput")
    assert_in_ci(kpis["minor_stop"], 1 - share, "minor-stop share")


def test_failures_cost_availability_not_performance() -> None:
    """The same 4 h / 0.5 h as failures on the operating clock: availability =
    4 / 4.5 = 0.889, performance 1 (to the part-lot at the window's end), same TH."""
    line = saturated(
        {
            "process_time": CYCLE,
            "lot": 20,
            "failures": {"mtbf": STOP["mtbf"], "mttr": STOP["duration"]},
        }
    )
    horizon = 1000.0
    kpis = kpis_of(line, horizon, 20)
    share = STOP["mtbf"] / (STOP["mtbf"] + STOP["duration"])
    assert_in_ci(kpis["availability"], share, "availability")
    assert np.allclose(kpis["performance"], 1.0, atol=20 * CYCLE / (share * horizon))
    assert_in_ci(kpis["throughput"], share / CYCLE, "throughput")
    assert (kpis["minor_stop"] == 0).all()


# ----------------------------------------------------------------------------- shifts

DAY = {"shifts": [{"name": "day", "start": 6, "length": 12}]}
"""A 12 h day shift from 6 h of each pattern."""


@pytest.mark.parametrize(
    ("process_time", "lot", "machines"), [(0.5, 1, 1), (0.25, 1, 3), (0.5, 4, 2)]
)
def test_day_shift_halves_the_output(process_time: float, lot: int, machines: int) -> None:
    """Staffed 12 h of every 24 h and saturated: cycles that divide the shift fit it
    exactly, so TH = half the always-on rate and the off-shift share is exactly 0.5 over
    10 whole days; availability and performance stay 1."""
    line = saturated(
        {"process_time": process_time, "lot": lot, "machines": machines, "shifts": ["day"]},
        shift_cycle=24,
        **DAY,
    )
    horizon = 240.0
    result = simulate(line, horizon, 24.0, seed=1, replication=0)
    always_on = machines / process_time
    assert result.finished["out"]["units"] / horizon == always_on / 2
    kpis = station_kpis(result.stations["m"], horizon)
    assert kpis["off_shift"] == 0.5 and kpis["busy"] == 0.5
    assert kpis["availability"] == 1.0 and kpis["performance"] == 1.0


def test_day_shift_with_a_cycle_over_the_shift_end() -> None:
    """0.7 h cycles do not divide the 12 h shift; a cycle running at the shift end pauses
    and resumes at the next shift, so the machine works exactly the 12 staffed hours a
    day: after 24 h of warm-up (12 h of work) the window's 10 days bring the work done to
    132 h, floor(132 / 0.7) = 188 cycles in all, 17 of them (floor(12 / 0.7)) in the
    warm-up: 171 pieces, busy 120 h and off shift 120 h."""
    line = saturated({"process_time": 0.7, "shifts": ["day"]}, shift_cycle=24, **DAY)
    days = 10
    result = simulate(line, 24.0 * days, 24.0, seed=1, replication=0)
    assert result.finished["out"]["units"] == 171
    state_time = result.stations["m"].state_time
    assert math.isclose(state_time["off_shift"], 12.0 * days)
    assert math.isclose(state_time["busy"], 12.0 * days)


def test_eleven_hour_cycles_in_a_twelve_hour_shift() -> None:
    """The hand-computed case of issue 11: staffed 12 h a day, 11 h cycles. Work stops at
    the shift end, so over 110 days the 1,320 staffed hours make 1,320 / 11 = 120 units
    (12 / 11 = 1.09 a day, not 2), the last one ending exactly at the last shift's end;
    the machine is busy half of the calendar time and off shift the other half."""
    line = saturated({"process_time": 11.0, "shifts": ["day"]}, **DAY)
    days = 110
    result = simulate(line, 24.0 * days, 0.0, seed=1, replication=0)
    assert result.finished["out"]["units"] == 120
    kpis = station_kpis(result.stations["m"], 24.0 * days)
    assert math.isclose(kpis["busy"], 0.5) and math.isclose(kpis["off_shift"], 0.5)


def test_an_unattended_cycle_runs_through_the_night() -> None:
    """With ``finish_cycle: true`` (formation, ovens) a cycle started in the shift runs to
    its end: 11 h cycles start at 6 h and 17 h and end at 17 h and 4 h the next day, the
    machine then waits for 6 h: 2 units a day, busy 22 h a day."""
    line = saturated({"process_time": 11.0, "shifts": ["day"], "finish_cycle": True}, **DAY)
    days = 10
    result = simulate(line, 24.0 * days, 24.0, seed=1, replication=0)
    assert result.finished["out"]["units"] == 2 * days
    assert math.isclose(result.stations["m"].state_time["busy"], 22.0 * days)


def test_failures_pause_with_the_shift() -> None:
    """Operating-time failures count processing time only, and a repair runs to its end
    (into the night when it starts before the shift end), so pausing at the shift end
    keeps busy / (busy + down) = mtbf / (mtbf + mttr) as without shifts, and every hour
    is busy, down or off shift."""
    line = saturated(
        {"process_time": 0.7, "shifts": ["day"], "failures": {"mtbf": 4, "mttr": 0.5}},
        shift_cycle=24,
        **DAY,
    )
    kpis = kpis_of(line, 24.0 * 200, 20)
    assert np.allclose(kpis["busy"] + kpis["down"] + kpis["off_shift"], 1.0)
    assert_in_ci(kpis["busy"] / (kpis["busy"] + kpis["down"]), 4 / 4.5, "busy share")


def test_day_shift_with_the_default_pattern_of_24_h() -> None:
    """Without shift_cycle the pattern is 24 h: the same half output as above."""
    line = saturated({"process_time": 0.5, "shifts": ["day"]}, **DAY)
    result = simulate(line, 240.0, 24.0, seed=1, replication=0)
    assert result.finished["out"]["units"] == 240


# ----------------------------------------------------------------------------- maintenance


@pytest.mark.parametrize(
    ("process_time", "lot", "machines"), [(1.0, 1, 1), (0.5, 1, 2), (0.25, 8, 1)]
)
def test_maintenance_windows(process_time: float, lot: int, machines: int) -> None:
    """A 10 h window falls due every 100 h of calendar time (machine i of n first at
    100 (i + 1) / n h) and starts at the next run start; with runs that divide 100 h it
    starts on time, so the machine works 90 of every 100 h: TH = 0.9 x rate exactly and the
    maintenance share 0.1 (not 100 / 110: the windows do not push the next one back)."""
    line = saturated(
        {
            "process_time": process_time,
            "lot": lot,
            "machines": machines,
            "maintenance": {"every": 100, "duration": 10},
        }
    )
    horizon = 1000.0
    result = simulate(line, horizon, 50.0, seed=1, replication=0)
    rate = machines / process_time
    assert math.isclose(result.finished["out"]["units"] / horizon, 0.9 * rate)
    station = result.stations["m"]
    assert station.maintenances == 10 * machines
    kpis = station_kpis(station, horizon)
    assert math.isclose(kpis["maintenance"], 0.1)
    assert kpis["availability"] == 1.0  # planned time excludes maintenance


def test_maintenance_waits_for_the_run_in_process() -> None:
    """With 0.7 h cycles a window starts up to 0.7 h late, but the next one stays due on the
    100 h grid: over 1,000 h the output is 0.9 x 1,000 / 0.7 to within one cycle."""
    line = saturated({"process_time": 0.7, "maintenance": {"every": 100, "duration": 10}})
    result = simulate(line, 1000.0, 50.0, seed=1, replication=0)
    assert abs(result.finished["out"]["units"] - 0.9 * 1000 / 0.7) <= 1
    assert math.isclose(result.stations["m"].state_time["maintenance"], 100.0)


# ----------------------------------------------------------------------------- setups


def test_setup_every_ten_cycles() -> None:
    """A 1 h setup before every 10 cycles of 1 h after the first 10: 10 pieces per 11 h;
    [50, 1150) h holds exactly 100 of these periods (no event on the edges but the first
    setup start, which the window includes), availability = 10 / 11."""
    line = saturated({"process_time": 1.0, "setup": {"every": 10, "time": 1.0}})
    horizon = 1100.0
    result = simulate(line, horizon, 50.0, seed=1, replication=0)
    assert result.finished["out"]["units"] == 1000
    kpis = station_kpis(result.stations["m"], horizon)
    assert math.isclose(kpis["availability"], 10 / 11)
    assert math.isclose(kpis["setup"], 1 / 11)


def test_setup_on_a_daily_interval() -> None:
    """A 2 h cleaning falls due every 24 h and starts at the next lot start: with 1 h lots
    it starts on time, so 22 of every 24 h are productive: TH = 22 / 24 pieces/h."""
    line = saturated({"process_time": 1.0, "setup": {"interval": 24, "time": 2.0}})
    horizon = 240.0
    result = simulate(line, horizon, 12.5, seed=1, replication=0)
    assert result.finished["out"]["units"] == 220
    assert math.isclose(station_kpis(result.stations["m"], horizon)["setup"], 2 / 24)
