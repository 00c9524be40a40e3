"""Tuning: finds a known optimum, resumes, survives interrupts, refuses bad search spaces.

The known optimum: two exponential machines (rates 1 and 1/1.2 per h) with a buffer of B
jobs before the second. Its throughput TH(B) is exact by the CTMC of
tests/validation/theory.py, rising with B: 0.604, 0.678, 0.721, 0.749 for B = 0..3.
Minimising WIP (which grows with B) subject to TH >= 0.70 therefore has the optimum
B* = 2, the smallest buffer that reaches the target, with margins of 0.022 and 0.021 to
the neighbours, seven times the standard error of the full evaluation (4 x 10,000 h).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import ClassVar

import pytest
from optuna.trial import TrialState
from validation import theory  # tests/ is on sys.path: its packages import by name

from sim import build_summary, load_scenario
from sim.cli import main
from sim.errors import ConfigError
from sim.experiment.executors import LocalExecutor
from sim.experiment.spec import Constraint
from sim.experiment.tune import best_trials, counted, evaluate, run_tune
from sim.experiment.tune_spec import Objective, read_tune
from sim.report.tune_files import write_tune

TARGET = 0.70
"""Throughput the tuned line must reach [jobs/h]."""

TUNE = """\
scenario: pair_scenario.yaml
space:
  stations.m2.buffer: {{int: [0, 8]}}
objectives: [{{minimize: wip}}]
constraints: ["throughput >= {target}"]
trials: {trials}
{extra}"""


def _tune(write, trials: int = 14, extra: str = "") -> Path:
    return write("tune.yaml", TUNE.format(target=TARGET, trials=trials, extra=extra))


def test_the_target_separates_buffer_one_from_two() -> None:
    """The exact throughputs put the optimum at B = 2."""
    exact = [theory.two_station_blocking(1.0, 1 / 1.2, b)["throughput"] for b in range(4)]
    assert exact[1] < TARGET - 0.02 and exact[2] > TARGET + 0.02


def test_tune_finds_the_smallest_buffer_that_reaches_the_target(
    pair, write, tmp_path: Path
) -> None:
    """TPE with successive halving finds B* = 2; its throughput agrees with the CTMC; some
    trials are pruned after the short stage; best.yaml is a scenario linesim runs."""
    spec = read_tune(_tune(write))
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    result = run_tune(spec, storage, build_summary, LocalExecutor(2))
    best, feasible = best_trials(result.study, spec)
    assert feasible and best[0].params == {"stations.m2.buffer": 2}
    exact = theory.two_station_blocking(1.0, 1 / 1.2, 2)["throughput"]
    assert best[0].user_attrs["kpis"]["throughput"] == pytest.approx(exact, abs=0.012)
    states = [t.state for t in result.study.trials]
    assert states.count(TrialState.PRUNED) >= 1 and len(states) == 14
    files = write_tune(result, tmp_path / "out")
    assert {f.name for f in files} >= {"trials.csv", "tune.json", "best.yaml", "history.png"}
    scenario = load_scenario(tmp_path / "out" / "best.yaml")
    materials = scenario.line.materials or {}  # the serial line's general twin
    assert materials["m2"].buffer == 2 and scenario.replications == 4


def test_constraint_penalty_makes_infeasible_worse() -> None:
    """Any violation makes the penalised objective worse than the raw one, more so the
    larger it is, in the direction of the objective."""
    spec_text = {"kpis": {"wip": {"mean": 3.0}, "throughput": {"mean": 0.63}}}

    class Spec:
        objectives: ClassVar = [Objective("wip", "minimize")]
        constraints: ClassVar = [Constraint("throughput", ">=", 0.70)]
        file = None

    low = evaluate(Spec, spec_text, {})  # type: ignore[arg-type]
    assert not low["feasible"] and low["violation"] == pytest.approx(0.1)
    assert low["values"][0] == pytest.approx(3.0 + 100 * 4.0 * 0.1)
    met = evaluate(
        Spec,
        {"kpis": {"wip": {"mean": 9.0}, "throughput": {"mean": 0.8}}},  # type: ignore[arg-type]
        {},
    )
    assert met["feasible"] and met["values"] == [9.0] and met["constraints"][0] < 0


def test_resume_and_interrupt(pair, write, tmp_path: Path) -> None:
    """Ctrl-C marks the trials in flight failed and not counted; running again goes on
    to the target without redoing finished trials."""
    spec = read_tune(_tune(write, trials=6, extra="fidelity: none\n"))
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    runs = [0]

    def stop_in_trial_three() -> None:
        runs[0] += 1
        if runs[0] == 10:  # 4 runs a trial: trials 0 and 1 done, trial 2 in flight
            raise KeyboardInterrupt

    first = run_tune(spec, storage, build_summary, batch=1, on_run=stop_in_trial_three)
    assert first.interrupted and counted(first.study) == 2
    trials = first.study.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL]
    assert trials[2].user_attrs.get("interrupted")
    again_runs: list[int] = []
    again = run_tune(spec, storage, build_summary, batch=1, on_run=lambda: again_runs.append(1))
    assert again.new_trials == 4 and counted(again.study) == 6
    assert again.runs == len(again_runs) <= 16  # 4 new trials, 4 runs each (or reused)
    assert [t.params for t in again.study.trials[:2]] == [t.params for t in trials[:2]]
    assert run_tune(spec, storage, build_summary, trials=6).new_trials == 0


def test_two_objectives_give_a_pareto_front(pair, write, tmp_path: Path) -> None:
    """NSGA-II on throughput (max) and WIP (min): every front member is feasible and none
    dominates another; pareto.png is drawn; --pick writes that trial's scenario."""
    path = write(
        "tune.yaml",
        "scenario: pair_scenario.yaml\n"
        "space: {stations.m2.buffer: {int: [0, 8]}}\n"
        "objectives: [{maximize: throughput}, {minimize: wip}]\n"
        "constraints: ['throughput >= 0.6']\ntrials: 8\nreplications: 2\n"
        "horizon: 3000\n",
    )
    spec = read_tune(path)
    assert spec.sampler == "nsga2" and spec.stages == []
    result = run_tune(spec, None, build_summary)
    front, feasible = best_trials(result.study, spec)
    assert feasible and front
    values = [t.user_attrs["objectives"] for t in front]  # best throughput first
    assert all(a[0] > b[0] and a[1] > b[1] for a, b in itertools.pairwise(values))
    files = write_tune(result, tmp_path / "out", pick=front[-1].number)
    assert "pareto.png" in {f.name for f in files}
    picked = load_scenario(tmp_path / "out" / "best.yaml")
    assert picked.overrides["stations.m2.buffer"] == front[-1].params["stations.m2.buffer"]


@pytest.mark.parametrize(
    ("space", "path", "message"),
    [
        ("stations.m9.buffer: {int: [0, 3]}", "space.stations.m9.buffer", "no entry named 'm9'"),
        ("stations.m2.bufer: {int: [0, 3]}", "space.stations.m2.bufer", "unknown key 'bufer'"),
        ("stations.m2.buffer: {int: [5, 1]}", "space.stations.m2.buffer.int", "empty range"),
        ("stations.m2.buffer: {int: [0.5, 3]}", "space.stations.m2.buffer.int", "whole numbers"),
        (
            "stations.m2.buffer: {int: [0, 5], step: 2}",
            "space.stations.m2.buffer.step",
            "not a multiple",
        ),
        (
            "stations.m2.buffer: {categorical: []}",
            "space.stations.m2.buffer.categorical",
            "non-empty",
        ),
        (
            "stations.m2.buffer: {int: [-3, 2]}",
            "space.stations.m2.buffer",
            "greater than or equal to 0",
        ),
        ("stations.m2.buffer: [0, 3]", "space.stations.m2.buffer", "give {int"),
    ],
)
def test_bad_search_spaces_are_located_errors(
    pair, write, space: str, path: str, message: str
) -> None:
    """Unknown paths, empty or reversed ranges and wrong kinds name the tune file, the
    YAML path and its line."""
    file = write(
        "tune.yaml",
        f"scenario: pair_scenario.yaml\nspace:\n  {space}\nobjectives: [{{minimize: wip}}]\n",
    )
    with pytest.raises(ConfigError) as caught:
        from sim.experiment.tune import check_space

        check_space(read_tune(file))
    assert caught.value.file == str(file)
    assert caught.value.path == path
    assert caught.value.line == 3
    assert message in caught.value.message


def test_unknown_objective_kpi_is_a_located_error(pair, write) -> None:
    """An objective that is no KPI of the run names the known KPIs."""
    file = write(
        "tune.yaml",
        "scenario: pair_scenario.yaml\n"
        "space: {stations.m2.buffer: {int: [0, 2]}}\n"
        "objectives: [{minimize: capexx}]\ntrials: 1\nhorizon: 100\n",
    )
    with pytest.raises(ConfigError, match="'capexx' is not a KPI") as caught:
        run_tune(read_tune(file), None, build_summary)
    assert caught.value.path == "objectives.0"


def test_cli_tune(pair, write, tmp_path: Path, capsys) -> None:
    """linesim tune writes trials.csv and best.yaml; --trials overrides the file."""
    file = _tune(write, trials=50, extra="replications: 2\nhorizon: 2000\n")
    out = tmp_path / "cli"
    argv = [
        "tune",
        str(file),
        "--jobs",
        "1",
        "--trials",
        "3",
        "--out",
        str(out),
        "--quiet",
        "--no-plots",
    ]
    assert main(argv) == 0
    assert (out / "study.db").is_file() and (out / "best.yaml").is_file()
    text = capsys.readouterr().out
    assert "this run: 3 trials" in text
    content = json.loads((out / "tune.json").read_text(encoding="utf-8"))
    assert content["units"] and all(f"[{unit}]" in text for unit in content["units"].values())
    assert main([*argv[:5], "4", *argv[6:]]) == 0
    assert "this run: 1 trial, " in capsys.readouterr().out  # singular: one trial
    best = (out / "best.yaml").read_text(encoding="utf-8")
    assert "\nhorizon: 2000 h\n" in best  # the full evaluation's horizon, with its unit
    assert " jobs" in best.splitlines()[0]  # the objective's value too (wip = N jobs)
    assert load_scenario(out / "best.yaml").horizon == 2000.0


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(1440.0, "h", "60 d"), (2000.0, "h", "2000 h"), (12.5, "h", "750 min"),
     (0.1, "h", "6 min"), (1 / 3, "h", "20 min"), (0.123456789, "d", "0.123456789 d")],
)  # fmt: skip
def test_best_yaml_durations_carry_their_unit_and_read_back(
    value: float, unit: str, text: str
) -> None:
    """A horizon or warm-up in best.yaml: whole in the largest unit that allows it,
    else in the line's unit, and always parsed back to the very same number."""
    from sim.model.units import parse_duration
    from sim.report.tune_files import duration_text

    assert duration_text(value, unit) == text
    assert parse_duration(duration_text(value, unit), unit) == value


@pytest.mark.parametrize("given", ["option", "file"])
def test_a_storage_that_cannot_be_opened_is_one_line_naming_its_origin(
    given: str, pair, write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A SQLite file in a folder that is not there (once an SQLAlchemy traceback): from
    --storage the error names the option, from the tune file its storage: line."""
    url = f"sqlite:///{tmp_path / 'missing' / 'study.db'}"
    extra = f"storage: {url}\n" if given == "file" else ""
    args = ["tune", str(_tune(write, trials=2, extra=extra)), "--out", str(tmp_path / "o")]
    status = main(args + (["--storage", url] if given == "option" else []))
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    assert f"storage '{url}' cannot be opened (unable to open database file)" in err
    where = "<command line>: --storage:" if given == "option" else "tune.yaml:7:1: storage:"
    assert where in err, err


def _without_timings(folder: Path) -> dict[str, object]:
    """What a tune folder says, less what depends on the clock or the folder's own path:
    trials.csv's seconds column, tune.json's seconds, best.yaml's "Run it" comment."""
    import csv

    with (folder / "trials.csv").open(encoding="utf-8", newline="") as handle:
        rows = [
            {k: v for k, v in row.items() if "second" not in k} for row in csv.DictReader(handle)
        ]
    content = json.loads((folder / "tune.json").read_text(encoding="utf-8"))

    def drop(node: object) -> object:
        if isinstance(node, dict):
            return {k: drop(v) for k, v in node.items() if "second" not in k and k != "out"}
        if isinstance(node, list):
            return [drop(v) for v in node]
        return node

    best = [
        line
        for line in (folder / "best.yaml").read_text(encoding="utf-8").splitlines()
        if str(folder) not in line
    ]
    return {"trials": rows, "tune": drop(content), "best": best}


def test_tune_with_one_job_is_reproducible_across_processes_and_hash_seeds(
    pair, write, tmp_path: Path
) -> None:
    """The same tune file, seed and --jobs 1, run in two fresh processes with different
    hash seeds, gives the same trials in the same order, the same best.yaml and
    tune.json: the sampler is seeded with the file's sampler_seed, trials run one by one."""
    import os
    import subprocess
    import sys

    file = _tune(write, trials=6, extra="replications: 2\nhorizon: 2000\n")
    folders = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"out{hash_seed}"
        command = ["tune", str(file), "--jobs", "1", "--out", str(out), "--quiet", "--no-plots"]
        done = subprocess.run(
            [sys.executable, "-m", "sim", *command],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
        )
        # the console is linesim's own: no Optuna log line ("[I 2026-...] A new study
        # created", "Trial 3 pruned") nor a warning on either stream
        assert done.stderr == ""
        assert not [line for line in done.stdout.splitlines() if line.startswith("[")]
        assert "optuna" not in (done.stdout + done.stderr).lower()
        folders.append(_without_timings(out))
    assert folders[0] == folders[1]
    assert len(folders[0]["trials"]) == 6  # type: ignore[arg-type]


def test_optuna_logs_nothing_of_its_own_while_linesim_tunes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Optuna's INFO lines are silent during a tune and a warning of its is one
    'warning: ...' line; afterwards Optuna logs as it did (a Python session's setting)."""
    import logging

    import optuna

    from sim.cli.tune import _optuna_quiet

    before = optuna.logging.get_verbosity()
    with _optuna_quiet():
        logging.getLogger("optuna.study").info("A new study created in RDB")
        logging.getLogger("optuna.storages").warning("Caught an error from sqlalchemy")
    err = capsys.readouterr().err
    assert err == "warning: Caught an error from sqlalchemy\n"
    assert optuna.logging.get_verbosity() == before
