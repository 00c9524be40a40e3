"""Distributions: parameter validation, stated mean and cv, and samples that match them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.model.distributions import Constant, Distribution, Normal
from sim.model.units import parse_duration

ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)
SAMPLES = 200_000
MEAN_TOLERANCE = 0.02
"""Accepted relative gap of the sample mean [-] (about 10 standard errors at cv 1)."""
CV_TOLERANCE = 0.05
"""Accepted relative gap of the sample cv [-]."""


def parse(data: Any, time_unit: str = "h") -> Any:
    """Validate ``data`` as a distribution with durations in ``time_unit``."""
    return ADAPTER.validate_python(data, context={"time_unit": time_unit})


# (raw data, stated mean or None, stated cv or None)
CASES: list[tuple[Any, float | None, float | None]] = [
    (2, 2.0, 0.0),
    ({"dist": "constant", "value": 2}, 2.0, 0.0),
    ({"dist": "exponential", "mean": 2}, 2.0, 1.0),
    ({"dist": "normal", "mean": 2, "cv": 0.2}, 2.0, 0.2),
    ({"dist": "normal", "mean": 2, "sd": 0.5}, 2.0, 0.25),
    ({"dist": "normal", "mean": 2, "cv": 0.8}, None, None),
    ({"dist": "normal", "mean": 2, "cv": 0}, 2.0, 0.0),
    ({"dist": "lognormal", "mean": 2, "cv": 0.5}, 2.0, 0.5),
    ({"dist": "lognormal", "mean": 2, "sd": 2}, 2.0, 1.0),
    ({"dist": "gamma", "mean": 2, "cv": 0.5}, 2.0, 0.5),
    ({"dist": "gamma", "mean": 2, "cv": 2}, 2.0, 2.0),
    ({"dist": "gamma", "shape": 4, "scale": 0.5}, 2.0, 0.5),
    ({"dist": "triangular", "low": 1, "mode": 2, "high": 6}, 3.0, None),
    ({"dist": "uniform", "low": 1, "high": 3}, 2.0, 1 / np.sqrt(12) / 1),
    ({"dist": "weibull", "shape": 1.5, "mean": 2}, 2.0, None),
    ({"dist": "weibull", "shape": 1, "scale": 2}, 2.0, 1.0),
    ({"dist": "weibull", "shape": 0.7, "scale": 1}, None, None),
    ({"dist": "empirical", "values": [1, 2, 4], "weights": [1, 1, 2]}, 2.75, None),
    ({"dist": "empirical", "values": [1, 2, 3]}, 2.0, np.sqrt(2 / 3) / 2),
]


def case_id(case: tuple[Any, float | None, float | None]) -> str:
    """Name a case by its distribution and first parameters."""
    data = case[0]
    if not isinstance(data, dict):
        return f"shorthand-{data}"
    return "-".join(f"{value}" for value in list(data.values())[:3])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_samples_have_the_stated_mean_and_cv(case: tuple[Any, float | None, float | None]) -> None:
    """Sample mean and cv match the distribution's ``mean`` and ``cv`` (and the inputs).

    The stated values of a normal are those after truncation at 0, within 1e-3 of the
    inputs at cv <= 0.25.
    """
    data, mean, cv = case
    dist = parse(data)
    if mean is not None:
        assert dist.mean == pytest.approx(mean, rel=1e-3)
    if cv is not None:
        assert dist.cv == pytest.approx(cv, rel=1e-3)
    samples = dist.draw(np.random.default_rng(12345), SAMPLES)
    assert isinstance(samples, np.ndarray) and samples.shape == (SAMPLES,)
    assert np.all(np.isfinite(samples)) and samples.min() >= 0
    assert samples.mean() == pytest.approx(dist.mean, rel=MEAN_TOLERANCE)
    sample_cv = samples.std() / samples.mean()
    assert sample_cv == pytest.approx(dist.cv, rel=CV_TOLERANCE, abs=1e-9)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_draws_depend_only_on_the_generator(case: tuple[Any, float | None, float | None]) -> None:
    """The same seed gives the same draws; no global random state is used."""
    dist = parse(case[0])
    np.random.seed(1)
    first = dist.draw(np.random.default_rng(7), 100)
    np.random.seed(2)
    assert np.array_equal(first, dist.draw(np.random.default_rng(7), 100))


def test_normal_is_truncated_at_zero() -> None:
    """A wide normal draws no negative times; its mean and cv are those after truncation."""
    dist = parse({"dist": "normal", "mean": 1, "cv": 1})
    assert isinstance(dist, Normal)
    assert dist.mean > 1 and dist.cv < 1
    samples = dist.draw(np.random.default_rng(3), SAMPLES)
    assert samples.min() >= 0
    assert samples.mean() == pytest.approx(dist.mean, rel=MEAN_TOLERANCE)


def test_units_in_parameters() -> None:
    """Duration parameters with units are converted into the line's unit."""
    assert parse("90 s", "min") == Constant(value=1.5)
    assert parse({"dist": "exponential", "mean": "45 s"}).mean == pytest.approx(0.0125)
    tri = parse({"dist": "triangular", "low": "1 h", "mode": "90 min", "high": "2 h"}, "min")
    assert (tri.low, tri.mode, tri.high) == (60, 90, 120)
    assert parse({"dist": "empirical", "values": ["1 d", 12]}).mean == pytest.approx(18)
    assert parse({"dist": "gamma", "shape": 2, "scale": "30 min"}).mean == pytest.approx(1)


@pytest.mark.parametrize(
    "data",
    [
        0,
        -1,
        "0 s",
        "-3 min",
        True,
        "fast",
        {"dist": "constant", "value": 0},
        {"dist": "exponential", "mean": 0},
        {"dist": "exponential", "mean": 2, "cv": 1},
        {"dist": "normal", "mean": 2},
        {"dist": "normal", "mean": 2, "sd": 1, "cv": 0.5},
        {"dist": "normal", "mean": 2, "cv": -0.1},
        {"dist": "normal", "mean": -2, "cv": 0.1},
        {"dist": "lognormal", "mean": 2},
        {"dist": "lognormal", "mean": 0, "cv": 1},
        {"dist": "lognormal", "mean": 2, "sd": -1},
        {"dist": "gamma", "mean": 2},
        {"dist": "gamma", "mean": 2, "cv": 0},
        {"dist": "gamma", "mean": 2, "cv": 0.5, "shape": 4},
        {"dist": "gamma", "shape": 4},
        {"dist": "gamma", "shape": -1, "scale": 1},
        {"dist": "triangular", "low": 3, "mode": 2, "high": 4},
        {"dist": "triangular", "low": 2, "mode": 2, "high": 2},
        {"dist": "triangular", "low": -1, "mode": 2, "high": 4},
        {"dist": "uniform", "low": 3, "high": 2},
        {"dist": "uniform", "low": 2, "high": 2},
        {"dist": "uniform", "low": -1, "high": 2},
        {"dist": "weibull", "shape": 2},
        {"dist": "weibull", "shape": 2, "scale": 1, "mean": 1},
        {"dist": "weibull", "shape": 0, "scale": 1},
        {"dist": "weibull", "shape": 2, "mean": -1},
        {"dist": "empirical", "values": []},
        {"dist": "empirical", "values": [1, -2]},
        {"dist": "empirical", "values": [0, 0]},
        {"dist": "empirical", "values": [1, 2], "weights": [1]},
        {"dist": "empirical", "values": [1, 2], "weights": [0, 0]},
        {"dist": "empirical", "values": [1, 2], "weights": [2, -1]},
        {"dist": "poisson", "mean": 2},
        {"mean": 2},
        [1, 2],
    ],
    ids=repr,
)
def test_bad_parameters_are_rejected(data: Any) -> None:
    """Missing, conflicting, negative or zero parameters and unknown kinds are errors."""
    with pytest.raises(ValidationError):
        parse(data)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("45 s", "h", 0.0125),
        ("20 h", "h", 20),
        ("12 d", "h", 288),
        ("2.5 min", "s", 150),
        ("1 y", "d", 365),
        ("  3  hours ", "min", 180),
        ("1e3 s", "s", 1000),
        (".5 h", "min", 30),
        (4, "d", 4.0),
        ("7", "h", 7.0),
    ],
)
def test_parse_duration(text: str | float, unit: str, expected: float) -> None:
    """Duration strings carry their unit; bare numbers are already in the line's unit."""
    assert parse_duration(text, unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text", ["5 parsecs", "fast", "", "h 5", "5 h 3", "5 h/min", None, [5], True]
)
def test_parse_duration_rejects(text: Any) -> None:
    """Anything else is a ValueError with an example of the format."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text, "h")
