"""Every command that writes files checks its ``--out`` folder before the work: a bad
folder is one line naming it and the fix, never a traceback after a finished comparison,
sweep, study, fit or check; a disk that fills up while writing loses no comparison, nor
does a second comparison into the same folder (the first is kept as ``DIR.previous``; one
writing it at the same time is refused before simulating)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from lock_holder import lock_held_elsewhere

from sim.cli import main
from sim.errors import LinesimError
from sim.experiment.executors import LocalExecutor
from sim.out_folder import writable_folder

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "scenarios" / "mes_example"
PENNY_LINE = ROOT / "configs" / "penny_fab.yaml"
QUICK = ["--replications", "2", "--horizon", "50", "--warmup", "0", "--quiet"]


def penny(folder: Path, name: str, wip: int) -> Path:
    """A short Penny Fab scenario under CONWIP ``wip`` in ``folder``."""
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nline: {PENNY_LINE}\nhorizon: 50\nreplications: 2\n"
        f"set: {{release.wip: {wip}}}\n",
        encoding="utf-8",
    )
    return path


def commands(tmp: Path) -> dict[str, list[str]]:
    """Each writing command with its arguments, ``--out`` left to add."""
    fitted = EXAMPLE / "line.yaml"
    return {
        "run": ["run", str(penny(tmp, "a", 4)), *QUICK, "--no-plots"],
        "compare": ["compare", str(penny(tmp, "a", 4)), str(penny(tmp, "b", 8)), *QUICK],
        "sweep": ["sweep", str(ROOT / "scenarios" / "sweep_conwip_penny_fab.yaml"), "--quiet"],
        "tune": ["tune", str(ROOT / "scenarios" / "tune_penny_fab_wip.yaml"), "--trials", "1"],
        "fit": ["fit", str(EXAMPLE / "mes_log.csv"), "--line", str(fitted), "--no-plots"],
        "check": [
            "check",
            str(EXAMPLE / "mes_log.csv"),
            "--scenario",
            str(penny(tmp, "a", 4)),
            "--replications",
            "2",
            "--jobs",
            "1",
        ],
        "draw": ["draw", str(PENNY_LINE)],
        "schema": ["schema"],
    }


@pytest.mark.parametrize(
    "command", ["run", "compare", "sweep", "tune", "fit", "check", "draw", "schema"]
)
def test_out_under_a_file_is_refused_before_any_work(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_simulation(*_args: object, **_kwargs: object) -> Any:
        raise AssertionError("simulated before --out was checked")

    monkeypatch.setattr(LocalExecutor, "map", no_simulation)
    blocking = tmp_path / "notes.txt"
    blocking.write_text("keep\n", encoding="utf-8")
    out = blocking / "results"
    status = main([*commands(tmp_path)[command], "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert f"--out {out} lies under {blocking}, which is a file, not a folder" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert blocking.read_text(encoding="utf-8") == "keep\n"


def test_a_full_disk_after_a_comparison_prints_it_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.report.comparison_files as files

    def full(*_args: object, **_kwargs: object) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "write_comparison_folder", full)
    out = tmp_path / "cmp"
    status = main([*commands(tmp_path)["compare"], "--out", str(out), "--jobs", "1"])
    captured = capsys.readouterr()
    assert status == 2
    assert f"the comparison could not be written to {out}: No space left on device" in (
        captured.err
    )
    assert "change %" in captured.out  # the comparison's table: not lost
    assert "Traceback" not in captured.err


def test_an_unforeseen_system_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file-system failure no command checks for (here the disk filling up while the
    schemas are written) is one line with the file, the reason and what to check."""

    def full(path: Path, _text: str) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("sim.atomic.write_text", full)
    status = main(["schema", "--out", str(tmp_path / "schemas")])
    err = capsys.readouterr().err
    assert status == 2
    assert "line.schema.json: No space left on device; check the path" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_writable_folder_makes_the_folder_and_leaves_nothing_else(tmp_path: Path) -> None:
    folder = writable_folder(tmp_path / "a" / "b")
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert writable_folder(folder) == folder  # an existing folder is fine


def test_writable_folder_refuses_a_file_and_a_nul(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(LinesimError, match=r"--out .*f is a file, not a folder"):
        writable_folder(tmp_path / "f")
    with pytest.raises(LinesimError, match="give a folder path"):
        writable_folder(str(tmp_path / "a\0b"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_writable_folder_refuses_a_read_only_place(tmp_path: Path) -> None:
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(LinesimError, match=r"results cannot be written to .*checked before"):
            writable_folder(locked / "out")
    finally:
        locked.chmod(0o755)


def wip_of(folder: Path) -> dict[str, float]:
    """The mean WIP of each scenario in a comparison folder [jobs]."""
    content = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    return {name: value["mean"] for name, value in content["kpis"]["wip"].items()}


def test_a_second_comparison_keeps_the_first_as_previous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    compare = [*commands(tmp_path)["compare"], "--jobs", "1", "--no-plots", "--out", str(out)]
    assert main(compare) == 0
    assert main([*compare, "--set", "release.wip=12"]) == 0
    assert f"previous comparison: {out}.previous" in capsys.readouterr().out
    assert wip_of(out) == {"a": 12.0, "b": 12.0}  # CONWIP holds WIP exactly
    assert wip_of(Path(f"{out}.previous")) == {"a": 4.0, "b": 8.0}
    assert (Path(f"{out}.previous") / "b" / "summary.json").is_file()
    assert main(["plot", f"{out}.previous"]) == 0


def test_a_comparison_into_a_folder_another_is_writing_is_refused_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the folder's lock: refused at once, before any replication
    runs, naming that process; the folder is left as it was."""

    def no_simulation(*_args: object, **_kwargs: object) -> Any:
        raise AssertionError("simulated into a folder another comparison is writing")

    monkeypatch.setattr(LocalExecutor, "map", no_simulation)
    out = tmp_path / "cmp"
    with lock_held_elsewhere(out) as holder:
        status = main([*commands(tmp_path)["compare"], "--jobs", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"results folder {out} is being written by another linesim run (pid {holder.pid})" in err
    assert not out.exists()


def test_a_folder_left_with_only_the_study_store_is_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comparison killed during its uncertainty study leaves only ``uncertainty/``: the
    next comparison into that folder is not refused as 'other files'."""
    out = tmp_path / "cmp"
    (out / "uncertainty" / "runs").mkdir(parents=True)
    compare = [*commands(tmp_path)["compare"], "--jobs", "1", "--no-plots", "--out", str(out)]
    assert main(compare) == 0, capsys.readouterr().err
    assert wip_of(out) == {"a": 4.0, "b": 8.0}


@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_interrupt_while_drawing_keeps_the_published_results(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while the plots are drawn: the data are already published whole, exit 130
    says how to draw them later, and linesim plot then does."""
    import sim.report.redraw as redraw

    real = {"run": redraw.draw_run, "compare": redraw.draw_comparison}[command]

    def interrupted(*_args: object, **_kwargs: object) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(redraw, "draw_run" if command == "run" else "draw_comparison", interrupted)
    if command == "run":
        monkeypatch.setattr("sim.cli.run.draw_run", interrupted)
    out = tmp_path / "out"
    args = [a for a in commands(tmp_path)[command] if a != "--no-plots"]
    assert main([*args, "--jobs", "1", "--out", str(out)]) == 130
    printed = " ".join(capsys.readouterr().out.split())  # the console wraps a long path
    assert f"interrupted while drawing: linesim plot {out} redraws" in printed
    data = out / ("summary.json" if command == "run" else "comparison.json")
    assert data.is_file() and not (out / "report.html").exists()
    monkeypatch.setattr(redraw, real.__name__, real)
    assert main(["plot", str(out)]) == 0 and (out / "report.html").is_file()


def test_a_failed_publish_keeps_the_study_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store of finished uncertainty runs moves into the new folder at publishing; a
    publish that fails (a full disk at the rename) leaves it where a rerun finds it."""
    from sim.report.run_folder import ResultsFolder

    out = tmp_path / "cmp"
    publish = ResultsFolder.publish

    def full_at_the_comparison(self: ResultsFolder, keep_previous: bool = True) -> Path:
        if self.target == out:  # the scenarios' own folders, inside, publish as usual
            raise OSError(28, "No space left on device")
        return publish(self, keep_previous)

    finished = out / "uncertainty" / "runs" / "key.json"
    finished.parent.mkdir(parents=True)
    finished.write_text("[]", encoding="utf-8")
    monkeypatch.setattr(ResultsFolder, "publish", full_at_the_comparison)
    compare = [*commands(tmp_path)["compare"], "--jobs", "1", "--no-plots", "--out", str(out)]
    assert main(compare) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert finished.read_text(encoding="utf-8") == "[]"
