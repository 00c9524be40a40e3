"""Fixtures writing small line and scenario YAML files into ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.errors import ConfigError, ConfigErrors, LinesimError
from sim.model import load_line

LINE_TEMPLATE = """\
name: two-step
time_unit: h
release:
  policy: conwip
  wip: 4
stations:
  - name: press
{press}
  - name: oven
    process_time: {{dist: exponential, mean: 2}}
"""
"""A two-station line; ``{press}`` is the indented body of station ``press`` (line 8 on)."""

PRESS_LINE = 8
"""1-based file line of the first ``{press}`` line."""

WriteLine = Callable[..., Path]
LineErrors = Callable[[str], list[ConfigError]]
"""``line_errors(text)``: the located errors of a line file holding ``text``."""


@pytest.fixture
def write_line(tmp_path: Path) -> WriteLine:
    """Return ``write(press_body, text=None, name='line.yaml')`` writing a line file."""

    def write(
        press: str = "    process_time: 2", text: str | None = None, name: str = "line.yaml"
    ) -> Path:
        path = tmp_path / name
        path.write_text(
            text if text is not None else LINE_TEMPLATE.format(press=press), encoding="utf-8"
        )
        return path

    return write


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str], Path]:
    """Return ``write(text)`` writing ``scenario.yaml`` next to the line file."""

    def write(text: str) -> Path:
        path = tmp_path / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def line_errors(tmp_path: Path) -> LineErrors:
    """Return ``errors(text)``: load ``text`` as ``line.yaml`` and return its located
    errors (each naming that file); a file that loads fails the test."""

    def errors(text: str) -> list[ConfigError]:
        path = tmp_path / "line.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(LinesimError) as caught:
            load_line(path)
        error = caught.value
        found = error.errors if isinstance(error, ConfigErrors) else [error]
        assert all(isinstance(e, ConfigError) and e.file == str(path) for e in found)
        return found  # type: ignore[return-value]

    return errors
