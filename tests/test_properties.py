"""Properties of random small serial lines: conservation, state shares, determinism, schema.

Lines have 1-4 stations with 1-3 machines, any distribution, optional finite buffers,
failures (operating or calendar), scrap up to 0.3, batches, setups, minor stops, planned
maintenance and shifts, released by CONWIP or push (with or without interarrival times).
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.kpis import station_kpis
from sim.engine import STATES, ReplicationResult, simulate
from sim.model import Line, load_line
from sim.model.checks import check_line
from sim.model.serial import as_general

# Hypothesis imports libcst to print a failing example, which warns (mypy_extensions
# TypedDict deprecated); under filterwarnings = error that turns any property failure into
# a pytest INTERNALERROR. Import it here with that warning silenced.
with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401

CONTEXT = {"time_unit": "h"}
FAST = settings(max_examples=150, deadline=None)
"""Each run takes a few ms; 150 examples keep a test to a few seconds."""

means = st.floats(0.2, 2.0)
spreads = st.one_of(st.just(0.0), st.floats(0.05, 0.5))


def distributions() -> st.SearchStrategy[Any]:
    """Raw YAML data of any distribution type with a mean of about 0.1-4 h."""
    return st.one_of(
        means,
        means.map(lambda m: f"{m * 60:.3f} min"),
        st.builds(lambda m: {"dist": "exponential", "mean": m}, means),
        st.builds(lambda m, cv: {"dist": "normal", "mean": m, "cv": cv}, means, spreads),
        st.builds(
            lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv}, means, st.floats(0.1, 1.5)
        ),
        st.builds(lambda m, cv: {"dist": "gamma", "mean": m, "cv": cv}, means, st.floats(0.2, 2.0)),
        st.builds(
            lambda m, w: {"dist": "triangular", "low": 0.1, "mode": m, "high": m + w}, means, means
        ),
        st.builds(lambda m, w: {"dist": "uniform", "low": m / 2, "high": m / 2 + w}, means, means),
        st.builds(
            lambda k, m: {"dist": "weibull", "shape": k, "mean": m}, st.floats(0.5, 4.0), means
        ),
        st.builds(
            lambda v: {"dist": "empirical", "values": v},
            st.lists(st.floats(0.1, 3.0), min_size=1, max_size=4),
        ),
    )


@st.composite
def stations(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """Raw data of one serial-line station with random optional features."""
    station: dict[str, Any] = {
        "name": f"s{index}",
        "machines": draw(st.integers(1, 3)),
        "process_time": draw(distributions()),
        "scrap": draw(st.one_of(st.just(0.0), st.floats(0.0, 0.3))),
    }
    if draw(st.booleans()):
        size = draw(st.integers(1, 4))
        station["batch"] = {"size": size, "min": draw(st.integers(1, size))}
    low = station["batch"]["min"] if "batch" in station else 1
    if draw(st.booleans()):
        station["buffer"] = draw(st.integers(low, low + 3))
    if draw(st.booleans()):
        station["failures"] = {
            "mtbf": draw(st.floats(2.0, 50.0)),
            "mttr": draw(st.floats(0.2, 5.0)),
            "basis": draw(st.sampled_from(["operating", "calendar"])),
            "ttf_cv": draw(st.sampled_from([0, 0.5, 1, 2])),
            "ttr_cv": draw(st.sampled_from([0, 0.5, 1, 2])),
        }
    if draw(st.booleans()):
        trigger = draw(
            st.one_of(
                st.builds(lambda n: {"every": n}, st.integers(1, 5)),
                st.builds(lambda t: {"interval": t}, st.floats(2.0, 20.0)),
            )
        )
        station["setup"] = {**trigger, "time": draw(distributions())}
    if draw(st.integers(0, 3)) == 0:
        station["minor_stops"] = {
            "mtbf": draw(st.floats(1.0, 10.0)),
            "duration": draw(st.floats(0.05, 0.5)),
        }
    if draw(st.integers(0, 3)) == 0:
        station["maintenance"] = {
            "every": draw(st.floats(5.0, 30.0)),
            "duration": draw(st.floats(0.5, 3.0)),
        }
    if draw(st.integers(0, 3)) == 0:
        station["shifts"] = ["day"]
    return station


@st.composite
def serial_lines(draw: st.DrawFn) -> dict[str, Any]:
    """Raw data of a valid serial line that cannot deadlock.

    CONWIP keeps at least sum(batch minimum - 1) + 1 jobs, so some batch can always start.
    """
    count = draw(st.integers(1, 4))
    items = [draw(stations(index)) for index in range(count)]
    policy = draw(st.sampled_from(["conwip", "push", "push with interarrival"]))
    if policy == "conwip":
        need = 1 + sum(item["batch"]["min"] - 1 for item in items if "batch" in item)
        release: dict[str, Any] = {"policy": "conwip", "wip": draw(st.integers(need, need + 8))}
        items[0].pop("buffer", None)
    elif policy == "push":
        release = {"policy": "push"}
    else:
        release = {"policy": "push", "interarrival": draw(distributions())}
    return {
        "name": "random",
        "time_unit": "h",
        "release": release,
        "shifts": [
            {
                "name": "day",
                "start": draw(st.floats(0.0, 12.0)),
                "length": draw(st.floats(4.0, 12.0)),
            }
        ],
        "shift_cycle": 24,
        "stations": items,
    }


def build(data: dict[str, Any]) -> Line:
    """Validate generated data as a line and check it has no cross-field problem."""
    line = Line.model_validate(data, context=CONTEXT)
    assert check_line(line) == []
    return line


horizons = st.floats(5.0, 80.0)
warmups = st.sampled_from([0.0, 0.0, 7.5])
seeds = st.integers(0, 2**32)


def assert_conserved(result: ReplicationResult) -> None:
    """Every job released is out good, scrapped, or still in the line."""
    assert result.released_total == (result.good_total + result.scrapped_total + result.wip_end)
    assert result.released == (result.good + result.scrapped + (result.wip_end - result.wip_start))
    assert (
        min(
            result.released,
            result.good,
            result.scrapped,
            result.wip_end,
            result.wip_start,
            result.wip_area,
        )
        >= 0
    )
    assert sum(result.exits_per_bin) == result.good
    assert sum(result.wip_area_per_bin) == pytest.approx(result.wip_area, rel=1e-9, abs=1e-9)


def assert_state_shares(result: ReplicationResult) -> None:
    """Each state share lies in [0, 1], the shares sum to 1, utilisation in [0, 1].

    Shares are machine time over machines x horizon, so they may pass 1 by rounding
    (``(warmup + horizon) - warmup != horizon`` in floating point).
    """
    for name, station in result.stations.items():
        kpis = station_kpis(station, result.horizon)
        shares = [kpis[state] for state in STATES]
        assert all(-1e-12 <= share <= 1 + 1e-12 for share in shares), (name, shares)
        assert sum(shares) == pytest.approx(1.0, abs=1e-9), (name, shares)
        assert -1e-12 <= kpis["utilization"] <= 1.0 + 1e-12  # end - warm-up rounding


@FAST
@given(serial_lines(), horizons, warmups, seeds)
def test_jobs_are_conserved_and_states_add_up(
    data: dict[str, Any], horizon: float, warmup: float, seed: int
) -> None:
    """Conservation over the run and over the window; state shares form a partition."""
    result = simulate(build(data), horizon, warmup, seed)
    assert_conserved(result)
    assert_state_shares(result)
    assert result.horizon == horizon and result.warmup == warmup


@settings(max_examples=30, deadline=None)
@given(serial_lines(), horizons, seeds, st.integers(0, 5))
def test_same_seed_same_result(
    data: dict[str, Any], horizon: float, seed: int, replication: int
) -> None:
    """A replication depends only on (line, horizon, warm-up, seed, replication index)."""
    line = build(data)
    first = simulate(line, horizon, 2.0, seed, replication)
    again = simulate(build(data), horizon, 2.0, seed, replication)
    assert first == again


@settings(max_examples=60, deadline=None)
@given(serial_lines())
def test_model_dump_round_trip(data: dict[str, Any]) -> None:
    """Dumping a line by alias and validating it again gives an equal line."""
    line = build(data)
    again = Line.model_validate(line.model_dump(by_alias=True), context=CONTEXT)
    assert again == line


@settings(max_examples=30, deadline=None)
@given(data=serial_lines())
def test_yaml_file_round_trip(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]
) -> None:
    """A generated line written as YAML loads to the same line as validating it in code
    (both in general form: the loader gives a serial line as its general twin)."""
    path = Path(tmp_path_factory.mktemp("lines")) / "line.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert load_line(path) == as_general(build(data))
