"""Tune studies survive killed processes, concurrent starts and bad storage URLs
(issue 11, section 2 and 3)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from optuna.distributions import IntDistribution
from optuna.trial import TrialState

from sim import ConfigError, build_summary
from sim.cli import main
from sim.experiment.tune import counted, open_study, run_tune
from sim.experiment.tune_spec import read_tune
from sim.experiment.tune_storage import open_storage

ROOT = Path(__file__).resolve().parents[2]
TUNE = ROOT / "scenarios" / "tune_penny_fab_wip.yaml"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("study.db", "not a database URL"),
        ("nosuchdb://host/x", "not a database URL"),
        ("postgresql+nosuchdriver://host/x", "not a database URL"),
        ("mysql+pymysql://user@host/x", "driver"),
    ],
)
def test_bad_storage_is_a_config_error(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_storage(url)


def test_cli_bad_storage_exits_2(tmp_path: Path, capsys) -> None:
    code = main(["tune", str(TUNE), "--storage", "not-a-url", "--out", str(tmp_path), "--quiet"])
    assert code == 2
    assert "not a database URL" in capsys.readouterr().err


def test_two_tunes_starting_at_once_share_a_new_study(tmp_path: Path) -> None:
    """Several openers of a new SQLite study at the same moment all succeed."""
    spec = read_tune(TUNE)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            open_study(spec, url)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_two_linesim_tunes_started_at_once_on_a_new_folder_both_finish(tmp_path: Path) -> None:
    """Issue 11: two tunes started together on a new --out crashed with "table studies
    already exists"; now both finish and share the study."""
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "sim", "tune", str(TUNE), "--trials", "2", "--jobs", "1",
        "--out", str(out), "--quiet", "--no-plots",
    ]  # fmt: skip
    env = {**os.environ, "MPLBACKEND": "Agg"}
    tunes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [tune.communicate(timeout=600)[1] for tune in tunes]
    assert [tune.returncode for tune in tunes] == [0, 0], errors
    assert counted(open_study(read_tune(TUNE), f"sqlite:///{out / 'study.db'}")) >= 2


@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")
def test_a_killed_trial_is_failed_and_its_design_retried(tmp_path: Path) -> None:
    """A trial left running by a killed process (heartbeat older than the grace period)
    is failed by the next tune, does not count, and its design runs again."""
    spec = read_tune(TUNE)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    study = open_study(spec, url)
    killed = study.ask({"release.wip": IntDistribution(1, 20)})
    study._storage.record_heartbeat(killed._trial_id)
    with sqlite3.connect(tmp_path / "study.db") as db:  # as if the process died long ago
        db.execute("UPDATE trial_heartbeats SET heartbeat = '2000-01-01 00:00:00'")
    result = run_tune(spec, url, build_summary, trials=2)
    trials = result.study.trials
    assert trials[0].state == TrialState.FAIL
    assert counted(result.study) == 2
    retried = [t for t in trials[1:] if t.params == killed.params]
    assert retried and retried[0].state == TrialState.COMPLETE


def test_best_yaml_says_when_no_trial_is_feasible(tmp_path: Path, write_tune_file) -> None:
    """With a constraint no design meets, best.yaml and the console say so plainly."""
    out = tmp_path / "out"
    code = main(
        ["tune", str(write_tune_file), "--trials", "2", "--out", str(out), "--quiet", "--no-plots"]
    )
    assert code == 0
    text = (out / "best.yaml").read_text()
    assert text.startswith("# NOT FEASIBLE: no trial met the constraints")
    assert "description: 'NOT FEASIBLE" in text or "description: NOT FEASIBLE" in text


@pytest.fixture
def write_tune_file(tmp_path: Path) -> Path:
    path = ROOT / "scenarios" / "penny_fab.yaml"
    tune = tmp_path / "tune.yaml"
    tune.write_text(
        f"scenario: {path}\nspace: {{release.wip: {{int: [1, 3]}}}}\n"
        "objectives: [{minimize: wip}]\nconstraints: ['throughput >= 5']\n"
        "trials: 2\nfidelity: none\nreplications: 1\nhorizon: 200\n"
    )
    return tune
