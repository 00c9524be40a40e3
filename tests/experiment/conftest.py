"""Fixtures: small sweep and tune files over the Penny Fab and a two-machine line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PENNY_FAB = ROOT / "scenarios" / "penny_fab.yaml"

PAIR_LINE = """\
name: pair
time_unit: h
release: {policy: push}
stations:
  - name: m1
    process_time: {dist: exponential, mean: 1.0}
  - name: m2
    process_time: {dist: exponential, mean: 1.2}
    buffer: 0
"""
"""Two exponential machines (rates 1 and 1/1.2 per h), unlimited raw material, a finite
buffer before m2: the line of tests/validation/test_finite_buffers.py."""

PAIR_SCENARIO = """\
line: pair.yaml
horizon: 10000
warmup: 100
replications: 4
seed: 1
"""

WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """Write ``text`` to ``tmp_path / name`` and return the path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def penny_sweep(write: WriteFile) -> Callable[[str], Path]:
    """Write a sweep file on the Penny Fab with the given ``parameters:`` body (indented)
    and short runs (3 replications of 500 h after 50 h)."""

    def _sweep(parameters: str, extra: str = "") -> Path:
        return write(
            "sweep.yaml",
            f"scenario: {PENNY_FAB}\nparameters:\n{parameters}\n"
            "replications: 3\nhorizon: 500\nwarmup: 50\n" + extra,
        )

    return _sweep


@pytest.fixture
def pair(write: WriteFile) -> Path:
    """Write the two-machine line and its scenario; return the scenario path."""
    write("pair.yaml", PAIR_LINE)
    return write("pair_scenario.yaml", PAIR_SCENARIO)
