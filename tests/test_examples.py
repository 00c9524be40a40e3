"""Examples are tests: every line, lever file, scenario and comparison in configs/ and
scenarios/ loads and runs over a short horizon."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim import build_summary, load_line, load_scenario, run
from sim.cli import main
from sim.model.levers import LeverFile

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios" / "what_if").glob("*.yaml")
)


def kind(path: Path) -> str:
    """What a YAML file in configs/ or scenarios/ is, by its keys."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, name in (
        ("levers", "levers"),
        ("compare", "comparison"),
        ("line", "scenario"),
        ("stations", "line"),
    ):
        if key in data and not (key == "levers" and "line" in data):
            return name
    return "other"


def test_there_are_examples() -> None:
    """The repository ships lines, scenarios, a lever file and a comparison."""
    kinds = {kind(p) for p in CONFIGS + SCENARIOS}
    assert {"line", "levers", "scenario", "comparison"} <= kinds


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_loads(path: Path) -> None:
    """Each line file validates; each lever file too."""
    if kind(path) == "levers":
        assert LeverFile.model_validate(yaml.safe_load(path.read_text())).levers
    else:
        assert load_line(path).stations


@pytest.mark.parametrize(
    "path", [p for p in SCENARIOS if kind(p) == "scenario"], ids=lambda p: p.name
)
def test_scenario_runs_short(path: Path) -> None:
    """Each scenario runs two replications over a short horizon and produces good output."""
    scenario = load_scenario(path, replications=2)
    short = load_scenario(
        path, replications=2, horizon=scenario.horizon / 20, warmup=scenario.warmup / 2
    )
    summary = build_summary(run(short, jobs=1))
    assert summary["replications"] == 2
    assert summary["kpis"]["throughput"]["mean"] > 0


@pytest.mark.parametrize(
    "path", [p for p in SCENARIOS if kind(p) == "comparison"], ids=lambda p: p.name
)
def test_comparison_runs_short(path: Path, tmp_path: Path) -> None:
    """Each comparison file runs on a short window and writes comparison.json."""
    status = main(
        [
            "compare",
            str(path),
            "--horizon",
            "10 d",
            "--warmup",
            "15 d",
            "--replications",
            "2",
            "--no-plots",
            "--quiet",
            "--jobs",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 0
    assert (tmp_path / "comparison.json").is_file()
