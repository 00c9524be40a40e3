"""The ramp_up block: curve arithmetic, the month, and located errors for bad input."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_line
from sim.model.ramp import Curve
from sim.model.units import parse_duration

WriteLine = Callable[..., Path]

LINE = """\
name: ramping
time_unit: h
release: {{policy: push}}
stations:
  - name: press
    process_time: 1
    scrap: 0.02
    failures: {{mtbf: 40, mttr: 2}}
  - name: oven
    process_time: 2
ramp_up:
  curves:
{curves}
"""
"""A two-station line; ``{curves}`` is the indented body of ``ramp_up.curves``."""

CURVES_LINE = 13
"""1-based file line of the first ``{curves}`` line."""


def _error(write_line: WriteLine, curves: str) -> ConfigError:
    path = write_line(text=LINE.format(curves=curves))
    with pytest.raises(LinesimError) as caught:
        load_line(path)
    error = caught.value
    if isinstance(error, ConfigErrors):
        assert len(error.errors) == 1, str(error)
        error = error.errors[0]
    assert isinstance(error, ConfigError)
    assert error.file == str(path)
    assert "\n" not in str(error)
    return error


def test_a_month_is_a_twelfth_of_a_365_day_year() -> None:
    """'1 month' = 365 d / 12 = 730 h; '4 months' = 2920 h."""
    assert parse_duration("1 month", "h") == pytest.approx(730.0)
    assert parse_duration("4 months", "d") == pytest.approx(4 * 365 / 12)
    assert parse_duration("3 mo", "h") == pytest.approx(2190.0)


def test_exponential_curve_value_and_mean_match_its_integral() -> None:
    """y(t) = y_end - (y_end - y_start) exp(-t / tau); the mean over [a, b] is the
    integral over b - a, here checked against a fine numerical quadrature."""
    curve = Curve(start=0.7, tau=1000.0, source="E")
    assert curve.value(0.0, 0.98, 730.0) == pytest.approx(0.7)
    assert curve.value(1000.0, 0.98, 730.0) == pytest.approx(0.98 - 0.28 / math.e)
    grid = np.linspace(730.0, 1460.0, 200_001)
    numeric = float(np.mean([curve.value(t, 0.98, 730.0) for t in grid[::100]]))
    assert curve.mean(730.0, 1460.0, 0.98, 730.0) == pytest.approx(numeric, rel=1e-4)


def test_table_curve_holds_each_month_then_the_mature_value() -> None:
    """A table gives month m its m-th value and the mature value after the table."""
    curve = Curve(table=[0.5, 0.8], source="E")
    assert curve.value(10.0, 1.0, 730.0) == 0.5
    assert curve.value(800.0, 1.0, 730.0) == 0.8
    assert curve.value(1500.0, 1.0, 730.0) == 1.0
    assert curve.mean(365.0, 1095.0, 1.0, 730.0) == pytest.approx((0.5 + 0.8) / 2)


def test_line_wide_curves_reach_every_station_and_own_ones_win(write_line: WriteLine) -> None:
    """A curve without station acts on every machine station (mtbf only with failures);
    a station's own curve replaces the line's for that quantity."""
    path = write_line(
        text=LINE.format(
            curves="    - {speed: {start: 0.5, tau: '2 months', source: E}, "
            "mtbf: {start: 0.5, tau: '2 months', source: E}}\n"
            "    - {station: press, speed: {table: [0.9], source: E}}"
        )
    )
    line = load_line(path)
    assert line.ramp_up is not None
    press = line.ramp_up.for_station("press", failures=True)
    oven = line.ramp_up.for_station("oven", failures=False)
    assert press["speed"].table == [0.9]
    assert press["mtbf"].tau == pytest.approx(1460.0)
    assert set(oven) == {"speed"}


@pytest.mark.parametrize(
    ("curves", "path", "words"),
    [
        (
            "    - {station: press, yield: {start: 0.8, tau: 0, source: E}}",
            "ramp_up.curves.0.yield.tau",
            "greater than 0",
        ),
        (
            "    - {station: press, yield: {start: 1.2, tau: '2 months', source: E}}",
            "ramp_up.curves.0.yield.start",
            "less than or equal to 1",
        ),
        (
            "    - {station: press, yield: {table: [0.8, 1.5], source: E}}",
            "ramp_up.curves.0.yield",
            "table[1] = 1.5",
        ),
        (
            "    - {station: pres, yield: {start: 0.8, tau: '2 months', source: E}}",
            "ramp_up.curves.0.station",
            "no station is called 'pres'",
        ),
        (
            "    - {station: oven, mtbf: {start: 0.5, tau: '2 months', source: E}}",
            "ramp_up.curves.0.mtbf",
            "has no failures",
        ),
        (
            "    - {yield: {start: 0.8, tau: '2 months', source: E}}",
            "ramp_up.curves.0",
            "names its station",
        ),
        (
            "    - {station: press, speed: {start: 0, tau: '2 months', source: E}}",
            "ramp_up.curves.0",
            "must be above 0",
        ),
        (
            "    - {station: press, yield: {start: 0.8, source: E}}",
            "ramp_up.curves.0.yield",
            "needs both start and tau",
        ),
        (
            "    - {station: press, yield: {start: 0.8, tau: 5}}",
            "ramp_up.curves.0.yield.source",
            "",
        ),
        (
            "    - {station: press, speed: {start: 0.8, tau: 5, source: E}}\n"
            "    - {station: press, speed: {start: 0.6, tau: 5, source: E}}",
            "ramp_up.curves.1.speed",
            "a second speed curve",
        ),
    ],
)
def test_bad_ramp_up_gets_a_located_error(
    write_line: WriteLine, curves: str, path: str, words: str
) -> None:
    """Each mistake names the YAML path, its file line and what to do."""
    error = _error(write_line, curves)
    assert error.path == path
    assert words in error.message
    assert error.line is not None and error.line >= CURVES_LINE


def test_a_delay_cannot_ramp(write_line: WriteLine) -> None:
    """Learning curves act on machine stations; a delay is refused with the fix."""
    text = LINE.replace(
        "  - name: oven\n    process_time: 2\n",
        "  - name: oven\n    process_time: 2\n  - name: soak\n    kind: delay\n"
        "    process_time: 5\n",
    ).format(curves="    - {station: soak, yield: {start: 0.8, tau: 5, source: E}}")
    path = write_line(text=text)
    with pytest.raises(LinesimError, match="is a delay"):
        load_line(path)
