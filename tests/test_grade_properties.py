"""Properties of random small serial lines with grades and rework loops: every job
released is good of some grade, scrapped or still in the line; shares and rates lie in
[0, 1]; the same seed gives the same result."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import build, horizons, seeds, serial_lines, warmups

from sim.analysis.kpis import line_kpis
from sim.engine import simulate


@st.composite
def graded_lines(draw: st.DrawFn) -> dict[str, Any]:
    """A random serial line with grades at one station and a rework loop at another (or
    the same), sent back to a station at or before it that holds a queue."""
    data = draw(serial_lines())
    stations = data["stations"]
    count = len(stations)
    grading = draw(st.integers(0, count - 1))
    shares = draw(st.lists(st.integers(1, 10), min_size=1, max_size=3))
    stations[grading]["grades"] = {
        "bins": [
            {
                "name": f"G{i}",
                "share": share / sum(shares),
                "goes_on": i == 0 or draw(st.booleans()),
            }
            for i, share in enumerate(shares)
        ]
    }
    checking = draw(st.integers(0, count - 1))
    held = data["release"]["policy"] == "conwip" or "interarrival" in data["release"]
    lowest = 0 if held else 1
    if checking >= lowest:
        stations[checking]["scrap"] = draw(st.floats(0.05, 0.6))
        stations[checking]["rework"] = {
            "share": draw(st.floats(0.0, 1.0)),
            "to": stations[draw(st.integers(lowest, checking))]["name"],
            "max_passes": draw(st.integers(2, 5)),
            **({"time": draw(st.floats(0.1, 2.0))} if draw(st.booleans()) else {}),
        }
    return data


@settings(max_examples=120, deadline=None)
@given(graded_lines(), horizons, warmups, seeds)
def test_released_is_good_of_a_grade_scrapped_or_in_the_line(
    data: dict[str, Any], horizon: float, warmup: float, seed: int
) -> None:
    """released = good at the end + sold grades + scrapped + WIP change, in the window;
    grade shares, rework rates and yields in [0, 1]."""
    line = build(data)
    result = simulate(line, horizon, warmup, seed)
    sold = sum(station.graded_sold for station in result.stations.values())
    assert result.released == (
        result.good + sold + result.scrapped + (result.wip_end - result.wip_start)
    )
    for station in result.stations.values():
        if station.graded:  # every unit sorted is graded or rejected (and scrapped)
            assert station.graded_rejected == 0.0  # given shares reject nothing
    kpis = line_kpis(result, line)
    for name, value in kpis.items():
        if (
            name.split(".")[0]
            in (
                "grade_share",
                "rework_rate",
                "first_pass_yield",
                "final_yield",
            )
            and value == value
        ):  # NaN where nothing was checked
            assert 0.0 <= value <= 1.0, (name, value)


@settings(max_examples=30, deadline=None)
@given(graded_lines(), horizons, seeds)
def test_same_seed_same_result(data: dict[str, Any], horizon: float, seed: int) -> None:
    """Grades and rework draw from named streams only: a rerun is identical."""
    line = build(data)
    assert simulate(line, horizon, 0.0, seed) == simulate(line, horizon, 0.0, seed)
