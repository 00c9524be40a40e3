"""The Python API: its documented examples run, its arguments are checked like the
command line's, and its results convert to DataFrames."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pytest

import sim
from sim.api import calls, comparing, results, running, sizing

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", [calls, comparing, results, running, sizing])
def test_docstring_examples_run(module, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example in the API's docstrings gives the output it shows."""
    monkeypatch.chdir(ROOT)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, globs={"sim": sim, "tmp_path": tmp_path}) if t.examples]
    assert tests
    for test in tests:
        runner.run(test)
    outcome = runner.summarize(verbose=False)
    assert outcome.failed == 0


@pytest.mark.parametrize(
    ("arguments", "path", "message"),
    [
        ({"replications": 2.5}, "replications", "whole number"),
        ({"replications": 10**9}, "replications", "1,000,000,000"),
        ({"replications": True}, "replications", "whole number"),
        ({"horizon": "1e309 h"}, "horizon", "out of range"),
        ({"horizon": 10**400}, "horizon", "finite"),
        ({"horizon": float("nan")}, "horizon", "finite"),
        ({"warmup": -1}, "warmup", ">= 0"),
        ({"seed": "x"}, "seed", "whole number"),
        ({"seed": -1}, "seed", "from 0"),
        ({"jobs": 0}, "jobs", "from 1"),
        ({"max_memory": 0}, "max_memory", "> 0"),
        ({"overrides": ["release.wip=3"]}, "overrides", "{'release.wip': ...}"),
        ({"overrides": {3: 1}}, "overrides", "dotted paths"),
    ],
)
def test_bad_arguments_are_config_errors(arguments: dict, path: str, message: str) -> None:
    """Each bad argument is a ConfigError naming sim.run() and the argument."""
    overrides = arguments.pop("overrides", None)
    with pytest.raises(sim.ConfigError) as caught:
        sim.run(str(ROOT / "scenarios" / "penny_fab.yaml"), overrides, **arguments)
    assert caught.value.file == "sim.run()"
    assert caught.value.path == path
    assert message in caught.value.message


@pytest.mark.parametrize("scenario", [None, 5, ""])
def test_run_without_a_scenario_is_a_config_error(scenario) -> None:
    with pytest.raises(sim.ConfigError, match="path of a scenario YAML"):
        sim.run(scenario)


def test_compare_needs_two_scenarios() -> None:
    with pytest.raises(sim.ConfigError, match="two or more"):
        sim.compare(str(ROOT / "scenarios" / "penny_fab.yaml"))


def test_run_result_is_the_experiment_result_with_frames(tmp_path: Path) -> None:
    """sim.run returns a RunResult (build_summary takes it as before) whose frames hold
    the summary's numbers; out= writes the results folder."""
    result = sim.run(
        str(ROOT / "scenarios" / "penny_fab.yaml"),
        {"release.wip": 4},
        replications=2,
        horizon=300,
        out=tmp_path / "run",
    )
    assert isinstance(result, sim.RunResult)
    assert sim.build_summary(result)["kpis"] == result.summary["kpis"]
    frame = result.to_frame()
    assert frame.loc["wip", "mean"] == result.summary["kpis"]["wip"]["mean"] == 4.0
    assert len(result.replications_frame()) == 2
    assert ("head-stamping", "busy") in result.stations_frame().index
    assert (tmp_path / "run" / "summary.json").is_file()


def test_a_loaded_scenario_runs_with_new_settings() -> None:
    """A Scenario object takes replications and a horizon string like a file does."""
    loaded = sim.load_scenario(ROOT / "scenarios" / "penny_fab.yaml")
    result = sim.run(loaded, replications=2, horizon="300 h", warmup=0)
    assert result.scenario.horizon == 300 and len(result.replications) == 2


def test_compare_frame_holds_paired_changes() -> None:
    """The same scenario twice: every paired change is exactly zero."""
    penny = str(ROOT / "scenarios" / "penny_fab.yaml")
    outcome = sim.compare(penny, penny, replications=2, horizon=300)
    frame = outcome.to_frame()
    assert frame.loc[("throughput", "penny_fab"), "change"] == 0.0


def test_plot_refuses_a_folder_without_results(tmp_path: Path) -> None:
    with pytest.raises(sim.LinesimError, match=r"no summary\.json"):
        sim.plot(tmp_path)
    with pytest.raises(sim.LinesimError, match=r"folder: must be the path of a results folder"):
        sim.plot(None)  # type: ignore[arg-type]
    with pytest.raises(sim.LinesimError, match="a path cannot hold a NUL character"):
        sim.plot(str(tmp_path / "a\0b"))


def test_to_frame_without_pandas_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def no_pandas(name: str, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas")
        return real(name, *args, **kwargs)

    result = sim.run(str(ROOT / "scenarios" / "penny_fab.yaml"), replications=1, horizon=50)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(sim.LinesimError, match="pip install pandas"):
        result.to_frame()
    assert os.environ  # the environment is untouched
