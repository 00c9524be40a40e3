"""``compare --set SCENARIO:PATH=VALUE`` and ``sim.compare(overrides={"SCENARIO:path": v})``
aim an override at one scenario, named by its ``name:`` or file stem; a plain
``PATH=VALUE`` still goes to every scenario, and a name that is no scenario of the
comparison is a located error before anything runs.

Known answer: the Penny Fab under CONWIP holds exactly its WIP level, so each scenario's
mean WIP is the value it was given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.experiment.compare import split_overrides

ROOT = Path(__file__).resolve().parent.parent
SHORT = ["--replications", "1", "--horizon", "200", "--warmup", "20", "--jobs", "1"]


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two Penny Fab scenarios: ``before.yaml`` named ``reference``, ``after.yaml``
    without a name (so its name is its stem)."""
    line = ROOT / "configs" / "penny_fab.yaml"
    before = tmp_path / "before.yaml"
    before.write_text(f"name: reference\nline: {line}\nhorizon: 200\n", encoding="utf-8")
    after = tmp_path / "after.yaml"
    after.write_text(f"line: {line}\nhorizon: 200\n", encoding="utf-8")
    return before, after


def _wip(folder: Path) -> dict[str, float]:
    content = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    return {name: value["mean"] for name, value in content["kpis"]["wip"].items()}


def test_an_aimed_set_changes_only_its_scenario(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """By stem and by name; the scenario's own value wins over the common one."""
    out = tmp_path / "out"
    args = ["compare", *map(str, pair), *SHORT, "--out", str(out), "--quiet", "--no-plots"]
    assert main([*args, "--set", "release.wip=3", "--set", "after:release.wip=6"]) == 0
    assert _wip(out) == {"reference": 3.0, "after": 6.0}
    assert main([*args, "--set", "reference:release.wip=5", "--set", "release.wip=2"]) == 0
    assert _wip(out) == {"reference": 5.0, "after": 2.0}
    summary = json.loads((out / "after" / "summary.json").read_text(encoding="utf-8"))
    assert summary["overrides"] == {"release.wip": 2}  # what each scenario got, recorded


def test_the_api_takes_the_same_keys(pair: tuple[Path, Path]) -> None:
    outcome = sim.compare(
        *pair,
        overrides={"release.wip": 4, "after:release.wip": 7},
        replications=1,
        horizon=200,
        warmup=20,
    )
    frame = outcome.to_frame()
    assert frame.loc[("wip", "reference"), "mean"] == 4.0
    assert frame.loc[("wip", "after"), "mean"] == 7.0


def test_an_unknown_scenario_is_a_located_error(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 before anything runs, naming the --set, the scenarios and the closest."""
    out = tmp_path / "out"
    status = main(
        ["compare", *map(str, pair), *SHORT, "--out", str(out), "--set", "aftr:release.wip=6"]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "<command line>: --set aftr:release.wip: no scenario 'aftr' in this comparison" in err
    assert "reference (before.yaml), after" in err and "did you mean 'after'?" in err
    assert not (out / "comparison.json").exists()
    with pytest.raises(sim.ConfigError) as caught:
        sim.compare(*pair, overrides={"nope:release.wip": 6}, replications=1, horizon=50)
    assert caught.value.path == "nope:release.wip"


def test_split_overrides_by_name_and_stem(pair: tuple[Path, Path]) -> None:
    paths = [str(p) for p in pair]
    common, each = split_overrides(
        {"release.wip": 3, "before:release.wip": 4, " after : stations.rimming.machines": 2},
        paths,
    )
    assert common == {"release.wip": 3}
    assert each == [
        {"release.wip": 4},
        {"release.wip": 3, "stations.rimming.machines": 2},
    ]
    with pytest.raises(sim.ConfigError, match="give the path after the scenario"):
        split_overrides({"after:": 1}, paths)
