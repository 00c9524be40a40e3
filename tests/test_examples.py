"""Examples are tests: every line in configs/ and scenario in scenarios/ loads and runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import build_summary, load_line, load_scenario, run

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_there_are_examples() -> None:
    """The repository ships at least one line and one scenario."""
    assert CONFIGS and SCENARIOS


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_loads(path: Path) -> None:
    """Each line file validates."""
    line = load_line(path)
    assert line.stations


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_runs_short(path: Path) -> None:
    """Each scenario runs two replications over a short horizon and produces good output."""
    scenario = load_scenario(path, replications=2)
    short = load_scenario(path, replications=2, horizon=scenario.horizon / 4,
                          warmup=scenario.warmup / 4)
    summary = build_summary(run(short, jobs=1))
    assert summary["replications"] == 2
    assert summary["kpis"]["throughput"]["mean"] > 0
