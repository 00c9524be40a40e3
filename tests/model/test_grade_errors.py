"""Bad grades and rework loops get one located error each: the YAML path, the line and
the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_loader_errors import PRESS_LINE, single_error

from sim.model import load_line

WriteLine = Callable[..., Path]

REWORK = "    process_time: 2\n    scrap: 0.1\n    rework: {rework}"
GRADES = "    process_time: 2\n    grades:\n      bins: {bins}"


@pytest.mark.parametrize(
    ("press", "path", "words"),
    [
        (
            REWORK.format(rework="{share: 1.5, to: press, max_passes: 3}"),
            "stations.press.rework.share",
            "less than or equal to 1",
        ),
        (
            REWORK.format(rework="{share: 0.5, to: press}"),
            "stations.press.rework",
            "needs a limit: give max_passes",
        ),
        (
            REWORK.format(rework="{share: 0.5, to: oven, max_passes: 3}"),
            "stations.press.rework.to",
            "is not upstream of 'press'",
        ),
        (
            REWORK.format(rework="{share: 0.5, to: kiln, max_passes: 3}"),
            "stations.press.rework.to",
            "names no station: 'kiln'",
        ),
        (
            "    process_time: 2\n    rework: {share: 0.5, to: press, max_passes: 3}",
            "stations.press.rework",
            "fails no unit",
        ),
        (
            GRADES.format(bins="[{name: A, share: 0.6, goes_on: true}, {name: B, share: 0.3}]"),
            "stations.press.grades",
            "sum to 0.9, not 1",
        ),
        (
            GRADES.format(bins="[{name: A, share: 0.7}, {name: B, share: 0.3}]"),
            "stations.press.grades.bins",
            "no grade goes on",
        ),
        (
            GRADES.format(bins="[{name: A, min: 1.0, goes_on: true}, {name: B, min: 0.9}]"),
            "stations.press.grades",
            "or give measured: {mean, sd}",
        ),
    ],
)
def test_bad_grades_and_rework(write_line: WriteLine, press: str, path: str, words: str) -> None:
    """Each mistake is reported at its YAML path with words that say the fix."""
    file = write_line(press)
    error = single_error(lambda: load_line(file))
    assert error.path.startswith(path), error
    assert words in error.message, error
    assert error.line is not None and error.line >= PRESS_LINE


def test_rework_to_raw_material_drawn_without_limit(write_line: WriteLine) -> None:
    """A loop back to a station that draws raw material without limit has no queue."""
    text = """\
name: push-line
release: {policy: push}
stations:
  - name: press
    process_time: 2
  - name: oven
    process_time: 1
    scrap: 0.1
    rework: {share: 0.5, to: press, max_passes: 3}
"""
    file = write_line(text=text)
    error = single_error(lambda: load_line(file))
    assert error.path == "stations.oven.rework.to"
    assert "draws raw material without limit" in error.message
    assert error.line == 9
