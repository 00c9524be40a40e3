"""The line schema in code: field bounds, release rules, cross-field checks, round trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from sim.model.checks import check_line
from sim.model.distributions import Constant, Exponential, Gamma
from sim.model.line import Failures, Line

CONTEXT = {"time_unit": "h"}


def line_data(**press: Any) -> dict[str, Any]:
    """Return a valid two-station CONWIP line as raw data, ``press`` fields added."""
    return {
        "name": "two-step",
        "time_unit": "h",
        "release": {"policy": "conwip", "wip": 4},
        "stations": [
            {"name": "press", "process_time": 2, **press},
            {"name": "oven", "process_time": {"dist": "exponential", "mean": 2}},
        ],
    }


def validate(data: dict[str, Any]) -> Line:
    """Validate ``data`` as a line in hours."""
    return Line.model_validate(data, context=CONTEXT)


def error_locs(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Return the pydantic error locations of invalid ``data``."""
    with pytest.raises(ValidationError) as caught:
        validate(data)
    return [tuple(error["loc"]) for error in caught.value.errors()]


def test_valid_line_and_shorthand_constant() -> None:
    """A bare number is a constant distribution; defaults are filled in."""
    line = validate(line_data())
    press = line.station("press")
    assert press.process_time == Constant(value=2.0)
    assert press.machines == 1 and press.buffer is None and press.scrap == 0
    assert line.station("oven").cycle_time.mean == 2.0
    with pytest.raises(KeyError):
        line.station("nope")


@pytest.mark.parametrize(
    ("press", "field"),
    [
        ({"process_time": 0}, "process_time"),
        ({"process_time": -1}, "process_time"),
        ({"process_time": "-5 s"}, "process_time"),
        ({"process_time": "0 min"}, "process_time"),
        ({"machines": 0}, "machines"),
        ({"buffer": -1}, "buffer"),
        ({"scrap": -0.01}, "scrap"),
        ({"scrap": 1.01}, "scrap"),
        ({"failures": {"mtbf": 0, "mttr": 1}}, "failures"),
        ({"failures": {"mtbf": 10, "mttr": -1}}, "failures"),
        ({"failures": {"mtbf": 10, "mttr": 1, "ttf_cv": -0.5}}, "failures"),
        ({"failures": {"mtbf": 10, "mttr": 1, "basis": "wallclock"}}, "failures"),
        ({"batch": {"size": 0}}, "batch"),
        ({"batch": {"size": 2, "min": 3}}, "batch"),
        ({"setup": {"every": 0, "time": 1}}, "setup"),
        ({"setup": {"every": 2, "time": 0}}, "setup"),
        ({"setup": {"every": 2, "interval": 5, "time": 1}}, "setup"),
        ({"minor_stops": {"mtbf": 1, "duration": -1}}, "minor_stops"),
        ({"speed": "40 m/min"}, ""),
        ({"process_time": None, "speed": "40 parsecs"}, "speed"),
        ({"defects": {"rate": 1, "found_at": "oven"}}, "defects"),
        ({"bufer": 3}, "bufer"),
        ({"name": "has space"}, "name"),
    ],
)
def test_bad_station_fields_are_rejected(press: dict[str, Any], field: str) -> None:
    """Non-positive times, probabilities outside [0, 1] and unknown keys fail validation.

    ``field`` is the station key blamed, or ``""`` for the station as a whole.
    """
    locs = error_locs(line_data(**press))
    expected = ("stations", 0, field) if field else ("stations", 0)
    assert any(loc[: len(expected)] == expected for loc in locs), locs


@pytest.mark.parametrize(
    "release",
    [
        {"policy": "conwip"},
        {"policy": "conwip", "wip": 0},
        {"policy": "conwip", "wip": 3, "interarrival": 1},
        {"policy": "push", "wip": 3},
        {"policy": "pull"},
        {"wip": 3},
    ],
)
def test_bad_release_is_rejected(release: dict[str, Any]) -> None:
    """A CONWIP line needs wip and no interarrival; push has no wip."""
    data = line_data()
    data["release"] = release
    assert any(loc[0] == "release" for loc in error_locs(data))


def test_conwip_without_wip_message() -> None:
    """The CONWIP error says what to add."""
    data = line_data()
    del data["release"]["wip"]
    with pytest.raises(ValidationError, match="wip: N"):
        validate(data)


def test_line_needs_stations_and_a_name() -> None:
    """An empty station list and an empty name are rejected."""
    data = line_data()
    data["stations"] = []
    data["name"] = ""
    assert {loc[0] for loc in error_locs(data)} == {"stations", "name"}


def problems(data: dict[str, Any]) -> list[str]:
    """Return the dotted paths of ``check_line`` problems of valid ``data``."""
    return [error.path for error in check_line(validate(data))]


def test_check_line_accepts_a_good_line() -> None:
    """The base line has no cross-field problem."""
    assert problems(line_data()) == []


def test_scrap_one_can_never_produce() -> None:
    """scrap: 1 loses every job."""
    assert problems(line_data(scrap=1)) == ["stations.press.scrap"]


def test_batch_larger_than_buffer() -> None:
    """A batch minimum above the buffer capacity can never start."""
    data = line_data()
    data["stations"][1].update(buffer=2, batch={"size": 3})
    assert problems(data) == ["stations.oven.buffer"]
    data["stations"][1]["batch"]["min"] = 2
    assert problems(data) == []


def test_batch_larger_than_conwip_level() -> None:
    """A batch needing more jobs than CONWIP allows in the line is an error, at the batch
    and at the CONWIP level (the batches could hold every job waiting)."""
    assert sorted(problems(line_data(batch={"size": 5}))) == ["release.wip", "stations.press.batch"]


def test_conwip_first_buffer_and_duplicate_names() -> None:
    """CONWIP owns the first buffer; station names must be unique."""
    data = line_data(buffer=3)
    data["stations"][1]["name"] = "press"
    assert sorted(problems(data)) == ["stations.press.buffer", "stations[1].name"]


@pytest.mark.parametrize(
    ("cv", "kind"), [(0.0, Constant), (1.0, Exponential), (0.5, Gamma), (2.0, Gamma)]
)
def test_failure_time_distributions(cv: float, kind: type) -> None:
    """Failure and repair times have the stated mean and cv."""
    failures = Failures(mtbf=20, mttr=2, ttf_cv=cv, ttr_cv=cv)
    for dist, mean in ((failures.time_to_failure(), 20), (failures.time_to_repair(), 2)):
        assert isinstance(dist, kind)
        assert dist.mean == pytest.approx(mean)
        assert dist.cv == pytest.approx(cv)
    assert failures.availability == pytest.approx(20 / 22)


def test_capacity_rate_counts_machines_setups_and_failures() -> None:
    """Capacity = machines / (cycle + setup share), reduced by calendar failures."""
    press = validate(
        line_data(
            machines=2,
            setup={"every": 5, "time": 1},
            failures={"mtbf": 9, "mttr": 1, "basis": "calendar"},
        )
    ).station("press")
    assert press.capacity_rate == pytest.approx(2 / (2 + 1 / 5) * 0.9)


def test_durations_with_units_in_fields() -> None:
    """Duration strings in station fields are converted into the line's unit."""
    press = validate(
        line_data(process_time="90 min", failures={"mtbf": "2 d", "mttr": "1800 s"})
    ).station("press")
    assert press.cycle_time.mean == pytest.approx(1.5)
    assert press.failures is not None
    assert (press.failures.mtbf, press.failures.mttr) == pytest.approx((48.0, 0.5))


FULL_PRESS: dict[str, Any] = {
    "machines": 2,
    "process_time": {"dist": "normal", "mean": 2, "cv": 0.2},
    "failures": {"mtbf": 30, "mttr": 2, "basis": "calendar", "ttr_cv": 0.5},
    "scrap": 0.05,
    "batch": {"size": 3, "min": 2},
    "setup": {"every": 4, "time": {"dist": "weibull", "shape": 2, "mean": 0.5}},
}


def test_model_dump_round_trip() -> None:
    """Dumping by alias and validating again gives the same line, for every distribution."""
    data = line_data(**FULL_PRESS)
    data["release"] = {"policy": "push", "interarrival": {"dist": "gamma", "mean": 1, "cv": 2}}
    extra = [
        {"dist": "lognormal", "mean": 1, "sd": 0.3},
        {"dist": "gamma", "shape": 2, "scale": 0.5},
        {"dist": "triangular", "low": 0, "mode": 1, "high": 3},
        {"dist": "uniform", "low": 1, "high": 2},
        {"dist": "weibull", "shape": 1.5, "scale": 2},
        {"dist": "empirical", "values": [1, 2, 4], "weights": [1, 1, 2]},
        {"dist": "constant", "value": "30 min"},
    ]
    data["stations"] += [
        {"name": f"s{index}", "process_time": dist, "buffer": 5} for index, dist in enumerate(extra)
    ]
    data["shift_cycle"] = "1 d"
    original = copy.deepcopy(data)
    line = validate(data)
    assert data == original, "validation must not modify its input"
    again = Line.model_validate(line.model_dump(by_alias=True), context=CONTEXT)
    assert again == line


def test_default_shift_cycle_is_a_number() -> None:
    """The default shift pattern length is 24 h in the line's unit."""
    data = line_data()
    data["time_unit"] = "min"
    assert Line.model_validate(data, context={"time_unit": "min"}).shift_cycle == 1440.0
