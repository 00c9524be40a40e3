"""Ramp-up runs: the months add up to the run, shares stay in [0, 1], nothing else moves."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.kpis import line_kpis, station_kpis
from sim.analysis.monthly import scrap_yield
from sim.engine import simulate
from sim.model import load_line
from sim.model.line import Line

ROOT = Path(__file__).resolve().parents[2]

MONTH = 730.0
"""One month [h]."""


def _line(curves: list[dict[str, Any]], lot: int, scrap: float, stations: int = 2) -> Line:
    steps = [
        {
            "name": f"s{index}",
            "process_time": {"dist": "exponential", "mean": 0.5 + index * 0.1},
            "buffer": 5,
            "lot": lot,
            "scrap": scrap,
            "failures": {"mtbf": 20, "mttr": 2, "basis": "calendar" if index else "operating"},
        }
        for index in range(stations)
    ]
    return Line.model_validate(
        {
            "name": "ramping",
            "release": {"policy": "push"},
            "stations": steps,
            "ramp_up": {"curves": curves},
        },
        context={"time_unit": "h"},
    )


curve_sets = st.fixed_dictionaries(
    {
        "yield": st.fixed_dictionaries(
            {
                "start": st.floats(0.0, 1.0),
                "tau": st.floats(10.0, 2000.0),
                "source": st.just("E"),
            }
        ),
        "speed": st.fixed_dictionaries(
            {
                "table": st.lists(st.floats(0.05, 1.0), min_size=1, max_size=3),
                "source": st.just("E"),
            }
        ),
        "mtbf": st.fixed_dictionaries(
            {"start": st.floats(0.05, 1.0), "tau": st.floats(10.0, 2000.0), "source": st.just("E")}
        ),
    }
)


@settings(max_examples=25, deadline=None)
@given(
    curve_sets,
    st.integers(1, 8),
    st.floats(0.0, 0.3),
    st.floats(100.0, 2.5 * MONTH),
    st.floats(0.0, 400.0),
    st.integers(0, 2**32),
)
def test_months_add_up_to_the_run_and_shares_stay_in_bounds(
    curves: dict[str, Any], lot: int, scrap: float, horizon: float, warmup: float, seed: int
) -> None:
    """Each month's good output, cycles, scrap and machine time add up to the run's; the
    months tile the window; each month's yield, OEE and state shares lie in [0, 1]."""
    line = _line([{"station": "s0", **curves}, {"speed": curves["speed"]}], lot, scrap)
    result = simulate(line, horizon, warmup, seed)
    months = result.months
    assert months and months[0].warmup == warmup
    assert math.isclose(sum(m.horizon for m in months), horizon, rel_tol=1e-9)
    assert all(m.horizon <= MONTH * (1 + 1e-9) for m in months)
    assert math.isclose(sum(m.good for m in months), result.good, abs_tol=1e-6)
    for name, station in result.stations.items():
        for counter in ("cycles", "units_out", "scrapped", "repairs"):
            total = sum(getattr(m.stations[name], counter) for m in months)
            assert math.isclose(total, getattr(station, counter), abs_tol=1e-6), (name, counter)
        for state, time in station.state_time.items():
            total = sum(m.stations[name].state_time[state] for m in months)
            assert math.isclose(total, time, rel_tol=1e-9, abs_tol=1e-6), (name, state)
    for month in months:
        kpis = line_kpis(month)
        assert 0.0 <= kpis["yield"] <= 1.0
        assert 0.0 <= scrap_yield(month) <= 1.0
        for station in month.stations.values():
            values = station_kpis(station, month.horizon)
            for share in ("busy", "idle", "blocked", "down", "quality"):
                if not math.isnan(values[share]):
                    assert -1e-9 <= values[share] <= 1.0 + 1e-9, share


def test_a_line_without_ramp_up_keeps_no_months() -> None:
    """No ramp_up: no monthly record (and no recorder events in the run)."""
    line = _line([{"station": "s0", "speed": {"table": [0.5], "source": "E"}}], 2, 0.1)
    mature = line.model_copy(update={"ramp_up": None})
    assert simulate(mature, 1000.0, 0.0, 3).months == []
    assert len(simulate(line, 1000.0, 0.0, 3).months) == 2


def test_a_ramp_on_one_station_leaves_the_others_streams_alone() -> None:
    """Common random numbers: slowing s1 down (speed 0.5 in its first month) leaves s0,
    which is never blocked (unlimited buffer), exactly as it was: same draws, same
    counts and state times; only s1 makes less."""
    base = _line([{"station": "s1", "speed": {"table": [1.0], "source": "E"}}], 1, 0.2)
    ramped = _line([{"station": "s1", "speed": {"table": [0.5], "source": "E"}}], 1, 0.2)
    unblocked = {"buffer": None}
    base = base.model_copy(
        update={"stations": [base.stations[0], base.stations[1].model_copy(update=unblocked)]}
    )
    ramped = ramped.model_copy(
        update={"stations": [ramped.stations[0], ramped.stations[1].model_copy(update=unblocked)]}
    )
    first, second = simulate(base, 500.0, 0.0, 7), simulate(ramped, 500.0, 0.0, 7)
    assert first.stations["s0"] == second.stations["s0"]
    assert first.stations["s1"].cycles > second.stations["s1"].cycles


def test_a_ramp_at_the_mature_values_reproduces_the_mature_run() -> None:
    """The reference line with every curve at its mature value (each machine station's
    yield table at 1 - scrap, MTBF and speed shares 1) draws the same numbers from the
    same streams: the same good output, cycles, repairs and machine time per state at
    every station; scrap differs only by the rounding of 1 - (1 - scrap) on web material
    (and the run has the two events of the month recorder more)."""
    path = ROOT / "configs" / "prismatic_lfp_300mah.yaml"
    mature = load_line(path)
    curves: list[dict[str, Any]] = [
        {"station": s.name, "yield": {"table": [1 - s.scrap], "source": "E"}}
        for s in mature.stations
        if s.kind != "delay"
    ]
    curves.append(
        {
            "mtbf": {"start": 1.0, "tau": 100, "source": "E"},
            "speed": {"table": [1.0], "source": "E"},
        }
    )
    neutral = load_line(path, {"ramp_up": {"curves": curves}})
    first, second = simulate(mature, 500.0, 0.0, 5), simulate(neutral, 500.0, 0.0, 5)
    assert first.good == second.good > 0
    assert second.events == first.events + 2  # the recorder starting and ending
    for name, station in first.stations.items():
        other = second.stations[name]
        assert (station.cycles, station.units_out, station.repairs, station.setups) == (
            other.cycles,
            other.units_out,
            other.repairs,
            other.setups,
        ), name
        assert station.state_time == other.state_time, name
        assert math.isclose(station.scrapped, other.scrapped, rel_tol=1e-12), name
