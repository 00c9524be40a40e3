"""Completeness markers: a sweep, tune or fit folder says in ``status.json`` whether it is
complete, and an interrupted or killed one says what is missing and how to finish it;
``linesim plot`` reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stop_after import StopAfter

import sim
import sim.api.setup as api_setup
from sim.cli import main
from sim.report.status import STATUS_FILE, mark_started, read_status

ROOT = Path(__file__).resolve().parent.parent
SWEEP = ROOT / "scenarios" / "sweep_conwip_penny_fab.yaml"
TUNE = ROOT / "scenarios" / "tune_penny_fab_wip.yaml"
SHORT = {"replications": 2, "horizon": 200, "warmup": 20}


def test_a_finished_sweep_is_marked_complete(tmp_path: Path) -> None:
    outcome = sim.sweep(SWEEP, out=tmp_path / "sweep", **SHORT)  # type: ignore[arg-type]
    status = read_status(outcome.folder)
    assert status is not None and status["command"] == "sweep"
    assert status["complete"] is True and status["missing"] is None


def test_an_interrupted_sweep_says_what_is_missing_and_how_to_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C after 5 runs (2 replications a point): 2 of the points are done; the
    marker says how many are missing and gives the command that finishes it, and plot
    says so instead of drawing a partial folder as a result."""
    monkeypatch.setattr(api_setup, "make_executor", lambda jobs, cluster: StopAfter(5))
    out = tmp_path / "sweep"
    outcome = sim.sweep(SWEEP, out=out, **SHORT)  # type: ignore[arg-type]
    status = read_status(out)
    assert status is not None and status["complete"] is False
    total = len(outcome.result.summaries)
    assert status["missing"] == f"{total - 2} of {total} points"
    assert status["resume"] == f"linesim sweep {SWEEP} --out {out}"
    assert main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert "incomplete linesim sweep" in err and "finish it with: linesim sweep" in err


def test_a_killed_command_leaves_its_folder_marked_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The marker written at the start stays when nothing writes the last one (SIGKILL,
    power loss): the folder never looks complete."""
    out = tmp_path / "tune"
    mark_started(out, "tune", f"linesim tune {TUNE} --out {out}")
    status = json.loads((out / STATUS_FILE).read_text(encoding="utf-8"))
    assert status["complete"] is False and status["resume"].startswith("linesim tune")
    assert main(["plot", str(out)]) == 2
    assert "incomplete linesim tune" in capsys.readouterr().err


def test_tune_and_fit_folders_are_marked_complete(tmp_path: Path) -> None:
    tune = sim.tune(TUNE, trials=2, out=tmp_path / "tune")
    assert (read_status(tune.folder) or {}).get("complete") is True
    example = ROOT / "scenarios" / "mes_example"
    args = ["fit", str(example / "mes_log.csv"), "--line", str(example / "line.yaml")]
    args += ["--aliases", str(example / "aliases.yaml"), "--out", str(tmp_path / "fit")]
    assert main([*args, "--no-plots"]) == 0
    status = read_status(tmp_path / "fit")
    assert status is not None and status["command"] == "fit" and status["complete"] is True
