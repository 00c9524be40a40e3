"""Numbers that used to hang or overflow: every number goes through one check (finite, in
range, no 400-digit integers) and distribution parameters are bounded so draws stay finite.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import Line, load_line
from sim.model.distributions import Distribution
from sim.model.overrides import parse_assignment
from sim.model.units import parse_duration

with warnings.catch_warnings(), contextlib.suppress(ImportError):
    warnings.simplefilter("ignore", DeprecationWarning)
    import hypothesis.extra._patching  # noqa: F401

CORPUS = Path(__file__).resolve().parents[1] / "fuzz_corpus"


def _errors(exc: LinesimError) -> list[ConfigError]:
    found = exc.errors if isinstance(exc, ConfigErrors) else [exc]
    assert all(isinstance(e, ConfigError) for e in found)
    return found  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("name", "path", "words"),
    [
        ("duration_1e309.yaml", "stations.a.process_time", "out of range"),
        ("failure_mtbf_overflow.yaml", "stations.a.failures.mtbf", "out of range"),
        ("integer_400_digits.yaml", "stations.a.process_time", "400-digit"),
        ("integer_5000_digits.yaml", "stations.a.machines", "5000-digit"),
        ("lognormal_cv_huge.yaml", "stations.a.process_time.cv", "out of range"),
        ("gamma_cv_huge.yaml", "stations.a.process_time.cv", "out of range"),
        ("weibull_shape_tiny.yaml", "stations.a.process_time.shape", "0.1"),
        ("normal_tiny_mean_huge_sd.yaml", "stations.a.process_time", "over 100"),
        ("infinite_price.yaml", "materials.raw.price", "finite"),
        ("time_unit_misspelt.yaml", "time_unit", "s, min, h, d"),
    ],
)
def test_hostile_numbers_are_located_errors(name: str, path: str, words: str) -> None:
    """Each once passed validate and overflowed or hung at run time (or crashed reading)."""
    file = CORPUS / name
    with pytest.raises(LinesimError) as caught:
        load_line(file)
    (error,) = _errors(caught.value)
    assert error.file == str(file) and error.line is not None
    assert error.path == path and words in error.message, str(error)


@pytest.mark.parametrize(
    ("key", "value", "path", "words"),
    [
        ("stations.press.process_time", "1e309 h", "stations.press.process_time", "out of range"),
        ("stations.press.process_time", 1e309, "stations.press.process_time", "finite"),
        ("stations.press.machines", 10**400, "stations.press.machines", "401-digit"),
        (
            "stations.press.failures",
            {"mtbf": "1e309 h", "mttr": 1},
            "stations.press.failures.mtbf",
            "out of range",
        ),
        ("stations.press.failures.mtbf", 5, "stations.press.failures.mttr", "missing"),
        (
            "stations.press.process_time",
            {"dist": "lognormal", "mean": 1, "cv": 1000},
            "stations.press.process_time.cv",
            "100",
        ),
        (
            "stations.press.process_time",
            {"dist": "gamma", "mean": 1, "cv": 1000},
            "stations.press.process_time.cv",
            "10",
        ),
        (
            "stations.press.process_time",
            {"dist": "weibull", "mean": 1, "shape": 0.01},
            "stations.press.process_time.shape",
            "0.1",
        ),
    ],
)
def test_hostile_overrides_blame_the_command_line(
    write_line: Any, key: str, value: Any, path: str, words: str
) -> None:
    """A ``--set`` value is checked like the file's and the error names ``--set PATH``,
    even when the override made the mapping the error is in (was: the line file)."""
    with pytest.raises(LinesimError) as caught:
        load_line(write_line(), {key: value})
    (error,) = _errors(caught.value)
    assert (error.file, error.path) == (None, path)
    assert str(error).startswith(f"<command line>: --set {path}: ")
    assert words in error.message, str(error)


def test_a_5000_digit_override_is_an_error_not_a_traceback() -> None:
    with pytest.raises(ConfigError, match="5000-digit number is out of range"):
        parse_assignment("stations.press.machines=1" + "0" * 4999)


def test_python_api_numbers_meet_the_same_check() -> None:
    """A line built in code gets the same check as a file (huge ints, infinities)."""
    base: dict[str, Any] = {"name": "x", "release": {"policy": "push"}}
    for station in (
        {"name": "a", "process_time": 10**400},
        {"name": "a", "process_time": float("inf")},
        {"name": "a", "process_time": 1, "capex": 1e300},
    ):
        with pytest.raises(ValidationError):
            Line.model_validate({**base, "stations": [station]})


@pytest.mark.parametrize(
    ("text", "unit", "hours"),
    [("90 mins", "h", 1.5), ("2 hrs", "h", 2.0), ("3 Hours", "h", 3.0), ("2 wks", "d", 336.0)],
)
def test_time_unit_aliases(text: str, unit: str, hours: float) -> None:
    assert parse_duration(text, unit) * (24 if unit == "d" else 1) == pytest.approx(hours)


def test_unknown_time_unit_lists_what_is_accepted() -> None:
    with pytest.raises(ValueError, match="units: s, min, h, d, w, mo, y"):
        parse_duration("5 fortnights", "h")


@pytest.mark.parametrize("text", ["1e309 h", "2e6 y", "9e15 s"])
def test_durations_are_bounded(text: str) -> None:
    with pytest.raises(ValueError, match="at most 1,000,000 y"):
        parse_duration(text, "h")


def test_never_written_as_a_huge_time_is_accepted() -> None:
    """``mtbf: 1e9`` (hours) is a common way to write "never"; it stays allowed."""
    assert parse_duration(1e9, "h") == 1e9


DISTRIBUTIONS: TypeAdapter[Any] = TypeAdapter(Distribution)
positive = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)


@st.composite
def parameters(draw: st.DrawFn) -> dict[str, Any]:
    """Any distribution mapping with extreme but finite parameters."""
    dist = draw(st.sampled_from(["normal", "lognormal", "gamma", "weibull", "exponential"]))
    data: dict[str, Any] = {"dist": dist, "mean": draw(positive)}
    if dist in ("normal", "lognormal"):
        data[draw(st.sampled_from(["sd", "cv"]))] = draw(positive)
    elif dist == "gamma":
        data["cv"] = draw(positive)
    elif dist == "weibull":
        data["shape"] = draw(positive)
    return data


@settings(max_examples=300, deadline=None)
@given(parameters())
def test_a_valid_distribution_draws_finite_values(data: dict[str, Any]) -> None:
    """Whatever passes validation has a finite mean and cv and finite draws: the bounds on
    cv and shape are where the draws would overflow."""
    try:
        dist = DISTRIBUTIONS.validate_python(data, context={"time_unit": "s"})
    except ValidationError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # overflow in numpy or scipy
        assert math.isfinite(dist.mean) and math.isfinite(dist.cv)
        draws = dist.draw(np.random.default_rng(1), 64)
    assert np.isfinite(draws).all() and (draws >= 0).all()
