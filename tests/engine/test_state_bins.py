"""Machine time per state in each bin of the measured window (the replay's states).

The bins are read at their edges from the stations' state totals, and waiting time that a
station reclassifies later (calendar failures or off-shift hours that fell while a machine
waited) is moved back into the bins it belongs to. So each bin holds the machine time of
its width, never a negative time, and the bins add up to the window's state totals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from engine_helpers import general_line
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import simulate
from sim.engine.monitor import STATES
from sim.engine.replication import TIME_BINS, ReplicationResult

DAY = {"shifts": [{"name": "day", "start": 6, "length": 12}], "shift_cycle": 24}


def two_stations(first: dict[str, Any], second: dict[str, Any], buffer: float = 20) -> Any:
    """raw -> a -> part (finite buffer) -> b -> out, both stations given their extras."""
    return general_line(
        [
            {"name": "a", "inputs": {"raw": 1}, "output": {"part": 1}, **first},
            {"name": "b", "inputs": {"part": 1}, "output": {"out": 1}, **second},
        ],
        {"raw": {"unit": "pcs"}, "part": {"unit": "pcs", "buffer": buffer}, "out": {"unit": "pcs"}},
        **DAY,
    )


def assert_bins_add_up(result: ReplicationResult) -> None:
    """Each bin holds machines x bin width, no state negative, and the bins' sums are the
    window's state totals, to 1e-9 of the machine time."""
    width = result.horizon / TIME_BINS
    for name in result.state_time_per_bin:
        station = result.stations[name]
        rows = bins_of(result, name)
        assert rows.shape == (TIME_BINS, len(STATES))
        assert rows.min() >= -1e-9 * width
        assert rows.sum(axis=1) == pytest.approx(station.machines * width, rel=1e-9)
        for index, state in enumerate(STATES):
            total = rows[:, index].sum()
            scale = station.machines * result.horizon
            assert abs(total - station.state_time[state]) <= 1e-9 * scale, (name, state)


def bins_of(result: ReplicationResult, station: str) -> np.ndarray:
    """A station's machine time [time unit] shaped (bins, states), zeros for states left out."""
    by_state = result.state_time_per_bin[station]
    assert all(any(by_state[state]) for state in by_state)  # only states entered are kept
    return np.stack([np.asarray(by_state.get(s, [0.0] * TIME_BINS)) for s in STATES], axis=1)


def test_waiting_time_reclassified_later_goes_back_to_its_bins() -> None:
    """A starved station with calendar failures and a day shift: down and off-shift time
    settled when it wakes is put into the bins where it fell."""
    line = two_stations(
        {"process_time": {"dist": "exponential", "mean": 1.0}},
        {
            "process_time": 0.3,
            "shifts": ["day"],
            "failures": {"mtbf": 10, "mttr": 2, "basis": "calendar"},
        },
    )
    result = simulate(line, 24.0 * 10, 24.0, seed=5)
    assert_bins_add_up(result)
    rows = bins_of(result, "b")
    down, off = STATES.index("down"), STATES.index("off_shift")
    assert sum(row[down] > 0 for row in rows) >= 5
    # in a bin wholly inside the night (18:00 to 6:00) nothing works or waits: the time
    # is off shift, or down for a repair that runs into the night
    width = result.horizon / TIME_BINS
    nights = 0
    for index, row in enumerate(rows):
        hour = (result.warmup + index * width) % 24
        if hour >= 18 - 1e-9 and hour + width <= 30 + 1e-9:
            nights += 1
            assert row[off] + row[down] == pytest.approx(width, rel=1e-9)
    assert nights >= 40


def test_a_station_with_failures_is_down_in_some_bins() -> None:
    """Operating-time failures (mtbf 5 h, mttr 1 h) over 500 h: down in many bins, never
    in all of them, and the other station never down."""
    line = two_stations(
        {"process_time": 0.5, "failures": {"mtbf": 5, "mttr": 1}}, {"process_time": 0.4}
    )
    result = simulate(line, 500.0, 50.0, seed=2)
    assert_bins_add_up(result)
    down = STATES.index("down")
    a_down = int((bins_of(result, "a")[:, down] > 0).sum())
    assert 20 < a_down < TIME_BINS
    assert "down" not in result.state_time_per_bin["b"]


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(1, 10_000),
    machines=st.integers(1, 3),
    buffer=st.sampled_from([2, 5, 50]),
    mtbf=st.floats(2.0, 40.0),
    calendar=st.booleans(),
)
def test_bins_add_up_for_any_seed(
    seed: int, machines: int, buffer: int, mtbf: float, calendar: bool
) -> None:
    """Whatever the seed, machines, buffer and failures: shares in [0, 1] adding to 1."""
    basis = "calendar" if calendar else "operating"
    line = two_stations(
        {"process_time": {"dist": "exponential", "mean": 0.5}, "machines": machines},
        {
            "process_time": 0.6,
            "shifts": ["day"],
            "failures": {"mtbf": mtbf, "mttr": 1.5, "basis": basis},
        },
        buffer,
    )
    assert_bins_add_up(simulate(line, 100.0, 10.0, seed=seed))


def test_serial_line_bins_add_up() -> None:
    """A serial line (the fast path's machines) keeps the same bins."""
    from sim.model import Line

    line = Line.model_validate(
        {
            "name": "serial",
            "release": {"policy": "conwip", "wip": 5},
            "stations": [
                {"name": "s1", "process_time": {"dist": "exponential", "mean": 1.0}},
                {"name": "s2", "process_time": {"dist": "exponential", "mean": 0.8}},
            ],
        },
        context={"time_unit": "h"},
    )
    result = simulate(line, 300.0, 30.0, seed=4)
    assert set(result.state_time_per_bin) == {"s1", "s2"}
    assert_bins_add_up(result)
