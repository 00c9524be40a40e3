"""Fixtures writing small line and scenario YAML files into ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
