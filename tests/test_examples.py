"""Examples are tests: every line, lever file, scenario and comparison in configs/ and
scenarios/ loads and runs over a short horizon."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from sim import build_summary, load_line, load_scenario, run
from sim.analysis.capacity import capacity_table
from sim.cli import main
from sim.engine.monitor import STATES
from sim.model.checks import check_line
from sim.model.file_kinds import kind_of
from sim.model.levers import LeverFile
from sim.model.units import SECONDS_PER

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "scenarios" / "what_if").glob("*.yaml")
)


def kind(path: Path) -> str:
    """What a YAML file in configs/ or scenarios/ is, as linesim tells it by its keys."""
    found = kind_of(yaml.safe_load(path.read_text(encoding="utf-8")))
    return "other" if found is None else found.name


def test_every_example_is_a_file_linesim_reads() -> None:
    """Every YAML file in configs/ and scenarios/ is a line, a lever file, a scenario or a
    comparison, a sweep or a tune (a stray file would be skipped by the tests below without
    a word), and every kind is shipped."""
    kinds = {p.name: kind(p) for p in CONFIGS + SCENARIOS}
    assert [name for name, k in kinds.items() if k == "other"] == []
    assert set(kinds.values()) == {"line", "levers", "scenario", "comparison", "sweep", "tune"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_loads(path: Path) -> None:
    """Each lever file validates with levers in it; each line validates, passes the
    cross-checks a run makes (no error that stops it running as written) and gives every
    station a positive, finite capacity."""
    if kind(path) == "levers":
        assert LeverFile.model_validate(yaml.safe_load(path.read_text())).levers
        return
    line = load_line(path)
    assert check_line(line) == []
    for row in capacity_table(line):
        assert 0 < row.capacity < math.inf, row.station


@pytest.mark.parametrize(
    "path", [p for p in SCENARIOS if kind(p) == "scenario"], ids=lambda p: p.name
)
def test_scenario_runs_short(path: Path) -> None:
    """Each scenario runs two replications over a short horizon and makes good output;
    every machine station's state shares are shares that add up to its whole time, its
    OEE factors lie in [0, 1], and a serial line conserves its jobs in each replication
    (released = good + scrapped + in the line at the end)."""
    scenario = load_scenario(path, replications=2)
    days = 24 * 3600 / SECONDS_PER[scenario.line.time_unit]  # one day [time unit]
    # Half the warm-up (at most 15 d), then a twentieth of the horizon, cut where the
    # window reaches 23 d: the reference line's first modules come after about two weeks
    # from an empty line (a scenario without a warm-up gets its whole window as horizon).
    warmup = min(scenario.warmup / 2, 15 * days)
    horizon = min(scenario.horizon / 20, max(8 * days, 23 * days - warmup))
    short = load_scenario(path, replications=2, horizon=horizon, warmup=warmup)
    result = run(short, jobs=1)
    summary = build_summary(result)
    assert summary["replications"] == 2
    assert summary["kpis"]["throughput"]["mean"] > 0
    for name, station in summary["stations"].items():
        if station["busy"]["mean"] is None:
            continue  # a delay: no machine states
        shares = [station[state]["mean"] for state in STATES]
        assert all(0.0 <= share <= 1.0 + 1e-9 for share in shares), name
        assert sum(shares) == pytest.approx(1.0, abs=1e-6), name
        for factor in ("availability", "performance", "quality", "oee"):
            value = station[factor]["mean"]
            assert value is None or 0.0 <= value <= 1.0 + 1e-9, (name, factor)
    if short.line.materials is None:  # a serial line counts its jobs
        for rep in result.replications:
            assert rep.released_total == rep.good_total + rep.scrapped_total + rep.wip_end


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
