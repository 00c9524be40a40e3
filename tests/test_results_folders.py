"""The edit-run loop: every run its own folder, published whole, never lost to a broken
console or a bad name, readable by colleagues; readers refuse what is not a complete run."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lock_holder import lock_held_elsewhere

from sim.cli import main
from sim.out_folder import safe_folder_name
from sim.report.run_folder import FolderLock, ResultsFolder

ROOT = Path(__file__).resolve().parent.parent
PENNY_LINE = ROOT / "configs" / "penny_fab.yaml"
SHORT = ["--replications", "2", "--horizon", "50", "--warmup", "0", "--quiet", "--no-plots"]


def scenario(folder: Path, name: str | None = None, extra: str = "") -> Path:
    """A short Penny Fab scenario in ``folder``, optionally with ``name:``."""
    path = folder / "s.yaml"
    text = f"line: {PENNY_LINE}\nhorizon: 50\nreplications: 2\n{extra}"
    if name is not None:
        text += f"name: {json.dumps(name)}\n"
    path.write_text(text, encoding="utf-8")
    return path


def cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        **kwargs,  # type: ignore[arg-type]
    )


def run_in(capsys: pytest.CaptureFixture[str], cwd: Path, *args: str) -> tuple[int, str, str]:
    """Run ``linesim run ARGS`` in process with working folder ``cwd``."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        status = main(["run", *args])
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# ----------------------------------------------------------------- reruns


def test_reruns_get_their_own_folders_and_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README's loop: a run, then the same with --set and other settings, both work with
    no --out; each has its own complete folder and LATEST names the newest."""
    penny = str(ROOT / "scenarios" / "penny_fab.yaml")
    status, _out, err = run_in(capsys, tmp_path, penny, *SHORT)
    assert status == 0, err
    status, out, err = run_in(capsys, tmp_path, penny, *SHORT, "--set", "release.wip=16")
    assert status == 0, err
    base = tmp_path / "results" / "penny_fab"
    runs = sorted(p for p in base.iterdir() if p.is_dir())
    assert len(runs) == 2
    latest = (base / "LATEST").read_text(encoding="utf-8").strip()
    assert latest == runs[-1].name and f"results: {runs[-1].relative_to(tmp_path)}" in out
    summaries = [json.loads((r / "summary.json").read_text()) for r in runs]
    assert summaries[0]["overrides"] == {"release.wip": 8}
    assert summaries[1]["overrides"] == {"release.wip": 16}
    assert not [p for p in base.iterdir() if p.name.startswith(".")]
    # plot follows LATEST
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert main(["plot", "results/penny_fab"]) == 0
    finally:
        os.chdir(old)
    assert (runs[-1] / "report.html").exists() and not (runs[0] / "report.html").exists()


def test_same_second_runs_do_not_collide(tmp_path: Path) -> None:
    """Two runs published in the same second get two folders."""
    folders = []
    for _ in range(2):
        folder = ResultsFolder("x", None, root=tmp_path)
        staging = folder.prepare()
        (staging / "summary.json").write_text("{}", encoding="utf-8")
        folders.append(folder.publish())
        folder.close()
    assert folders[0] != folders[1] and all(f.is_dir() for f in folders)


# ----------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    ["../../../../tmp/x", "/tmp/x", "..", ".", "a/b\\c", "x" * 300, "nul\x00byte", "CON", ""],
)
def test_a_name_is_a_name(name: str) -> None:
    """A scenario name becomes one safe folder name: no separators, no dots leading out,
    no NUL, no device names, at most 80 characters."""
    folder = safe_folder_name(name)
    assert folder and len(folder) <= 80
    assert "/" not in folder and "\\" not in folder and "\x00" not in folder
    assert not folder.startswith(".") and folder.lower() != "con"


@pytest.mark.parametrize("name", ["../../../../tmp/linesim-escape", "/tmp/linesim-escape", ".."])
def test_hostile_names_stay_inside_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """name: ../../x, /tmp/x or .. writes inside results/, nowhere else."""
    work = tmp_path / "work"
    work.mkdir()
    status, _out, err = run_in(capsys, work, str(scenario(work, name)), *SHORT)
    assert status == 0, err
    written = [p for p in work.rglob("summary.json")]
    assert len(written) == 1
    assert (work / "results") in written[0].parents
    assert sorted(p.name for p in work.iterdir()) == ["results", "s.yaml"]


def test_long_and_nul_names_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 300-character and a NUL-holding scenario name still give a results folder."""
    for name in ("n" * 300, "a\x00b"):
        status, _out, err = run_in(capsys, tmp_path, str(scenario(tmp_path, name)), *SHORT)
        assert status == 0, err
    assert len(list((tmp_path / "results").rglob("summary.json"))) == 2


# ----------------------------------------------------------------- write failures


def test_out_is_a_file_or_device_is_refused_before_simulating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out naming a file or /dev/null: exit 2 at once, the file untouched."""
    target = tmp_path / "file.txt"
    target.write_text("keep\n", encoding="utf-8")
    for out in (str(target), os.devnull):
        status, _out, err = run_in(
            capsys, tmp_path, str(ROOT / "scenarios" / "penny_fab.yaml"), *SHORT, "--out", out
        )
        assert status == 2 and "is a file, not a folder" in err, err
    assert target.read_text() == "keep\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_place_is_refused_before_simulating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        status, _out, err = run_in(
            capsys, tmp_path, str(ROOT / "scenarios" / "penny_fab.yaml"), *SHORT,
            "--out", str(locked / "out"),
        )  # fmt: skip
    finally:
        locked.chmod(0o755)
    assert status == 2 and "results cannot be written" in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_while_writing_leaves_no_half_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write failure after the simulation: exit 2 naming where the results could not
    go, the KPIs printed, no half folder and no staging folder left."""
    import sim.report.results as results

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results, "write_csv", full)
    out = tmp_path / "out"
    status, stdout, err = run_in(
        capsys, tmp_path, str(ROOT / "scenarios" / "penny_fab.yaml"), *SHORT, "--out", str(out)
    )
    assert status == 2
    assert f"results could not be written to {out}: No space left on device" in err
    assert "throughput" in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock"]  # the lock's file only


# ----------------------------------------------------------------- broken consoles


@pytest.mark.parametrize(
    "how", ["closed", "dev-full", "head", "ascii"], ids=lambda h: f"stdout-{h}"
)
def test_a_broken_console_never_loses_the_run(tmp_path: Path, how: str) -> None:
    """Closed stdout, /dev/full, | head -c10 and an ASCII console with a non-ASCII name:
    the results folder is complete and the exit status 0; at most a warning on stderr."""
    path = scenario(tmp_path, "Zürich–línea")
    args = ["run", str(path), *SHORT, "--out", str(tmp_path / "out")]
    env = {"PYTHONIOENCODING": "ascii"} if how == "ascii" else {}
    if how == "closed":
        done = subprocess.run(  # a closed descriptor: >&-
            f"{sys.executable} -m sim {' '.join(args)} >&-",
            shell=True,
            cwd=tmp_path,
            capture_output=False,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=300,
        )
        status, err = done.returncode, done.stderr
    elif how == "dev-full":
        if not Path("/dev/full").exists():
            pytest.skip("needs /dev/full")
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "sim", *args],
                cwd=tmp_path,
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                timeout=300,
            )
        status, err = done.returncode, done.stderr
    elif how == "head":
        done = subprocess.run(
            f"{sys.executable} -m sim {' '.join(args)} | head -c10",
            shell=True,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=300,
        )
        status, err = done.returncode, done.stderr
        assert len(done.stdout) <= 10
    else:
        done = cli(args, tmp_path, env)
        status, err = done.returncode, done.stderr
        assert "Z?rich" in done.stdout
    assert status == 0, err
    assert "Traceback" not in err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "Zürich–línea" and summary["replications"] == 2
    for name in summary["files"]:
        assert (tmp_path / "out" / name).is_file()


# ----------------------------------------------------------------- modes


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_files_respect_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: int
) -> None:
    """Results get the mode any new file gets (0o666 less the umask), not 0o600."""
    old = os.umask(umask)
    try:
        status, _out, err = run_in(
            capsys, tmp_path, str(ROOT / "scenarios" / "penny_fab.yaml"), *SHORT[:-1],
            "--out", str(tmp_path / "out"),
        )  # fmt: skip
    finally:
        os.umask(old)
    assert status == 0, err
    files = list((tmp_path / "out").iterdir())
    assert {p.name for p in files} >= {"summary.json", "report.html", "throughput.png"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o777 & ~umask


# ----------------------------------------------------------------- locks and staging


def test_a_second_run_on_the_same_out_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While another process holds the lock of --out DIR, a run there gets a clear error
    naming it and exit 2; once that process is killed (no clean-up, as a crashed run) the
    system has given its lock up and the next run goes ahead."""
    out = tmp_path / "out"
    penny = str(ROOT / "scenarios" / "penny_fab.yaml")
    with lock_held_elsewhere(out) as holder:
        status, _out, err = run_in(capsys, tmp_path, penny, *SHORT, "--out", str(out))
        assert status == 2
        assert f"results folder {out} is being written by another linesim run" in err
        assert f"pid {holder.pid}" in err and not out.exists()
    status, _out, err = run_in(capsys, tmp_path, penny, *SHORT, "--out", str(out))
    assert status == 0, err
    assert not FolderLock(out).owner_path.exists()


def test_staging_of_a_killed_run_is_cleaned_and_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A staging folder left by a killed writer (dead pid) is removed by the next run; a
    folder missing a file its summary lists is refused by plot with a clear message."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    stale = tmp_path / f".out.writing-{dead}-abcd1234"
    stale.mkdir()
    (stale / "summary.json").write_text("{}", encoding="utf-8")
    out = tmp_path / "out"
    penny = str(ROOT / "scenarios" / "penny_fab.yaml")
    status, _o, err = run_in(capsys, tmp_path, penny, *SHORT, "--out", str(out))
    assert status == 0, err
    assert not stale.exists()
    (out / "timeseries.csv").unlink()
    assert main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert "incomplete run, timeseries.csv listed in summary.json is missing" in err


# ----------------------------------------------------------------- readers


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a linesim run summary"),
        ('{"scenario": "x", "time_unit": "h", "kpis": [], "stations": {}}', "'kpis'"),
    ],
)
def test_plot_refuses_a_broken_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "summary.json").write_text(content, encoding="utf-8")
    assert main(["plot", str(folder)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and str(folder) in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("summary.json", lambda d: d["kpis"]["throughput"].update(mean="x"),
         "summary.json: kpis.throughput is not an estimate"),
        ("summary.json", lambda d: d["stations"]["rimming"].update(busy=[0.5]),
         "summary.json: stations.rimming.busy is not an estimate"),
        ("line.json", lambda d: d.update(stations=5), "line.json: not a valid line"),
        ("line.json", None, "line.json: not valid JSON"),
    ],
    ids=["kpi-mean-text", "station-share-list", "line-invalid", "line-not-json"],
)  # fmt: skip
def test_plot_refuses_a_run_edited_after_it_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, edit: Any, message: str
) -> None:
    """A summary or line.json changed by hand is one line naming the file and the entry,
    not a traceback from the plot that reads it."""
    out = tmp_path / "out"
    penny = str(ROOT / "scenarios" / "penny_fab.yaml")
    assert run_in(capsys, tmp_path, penny, *SHORT, "--out", str(out))[0] == 0
    path = out / file
    if edit is None:
        path.write_text("garbage", encoding="utf-8")
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "run the scenario again" in err, err
    assert "Traceback" not in err


def test_plot_refuses_a_table_of_the_wrong_structure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    penny = str(ROOT / "scenarios" / "penny_fab.yaml")
    assert run_in(capsys, tmp_path, penny, *SHORT, "--out", str(out))[0] == 0
    (out / "timeseries.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["plot", str(out)]) == 2
    assert "timeseries.csv:1: not a linesim results table" in capsys.readouterr().err
    (out / "timeseries.csv").write_text(
        "replication,start,end,throughput,wip\nx,1,2,3,4\n", encoding="utf-8"
    )
    assert main(["plot", str(out)]) == 2
    assert "timeseries.csv:2: replication 'x'" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_plot_of_a_symlink_loop_or_a_nul_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for given in (str(loop), str(loop / "x"), "a\x00b", str(tmp_path / "missing")):
        assert main(["plot", given]) == 2, given
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "Traceback" not in err


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_scenario_naming_a_symlink_loop_or_nul(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """line: naming a symlink loop or holding a NUL: a located error, exit 2."""
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    for ref in ("loop.yaml", "a.yaml\\0x"):
        path = tmp_path / "s.yaml"
        path.write_text(f'line: "{ref}"\nhorizon: 10\n', encoding="utf-8")
        assert main(["run", str(path), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert f"{path}:1:1: line: " in err and "cannot be used as a path" in err


def test_check_results_folder_before_running(tmp_path: Path) -> None:
    """The API's pre-check: a new folder passes and nothing is left behind; a file is
    refused."""
    from sim.errors import LinesimError
    from sim.model import load_scenario
    from sim.report.results import check_results_folder

    penny = load_scenario(ROOT / "scenarios" / "penny_fab.yaml")
    check_results_folder(tmp_path / "new", penny)
    assert [p.name for p in tmp_path.iterdir()] == [".new.lock"]  # the lock's empty file only
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(LinesimError, match="is a file, not a folder"):
        check_results_folder(tmp_path / "file", penny)


# ----------------------------------------------------------------- power cuts


def test_a_published_run_is_on_the_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of a results folder was flushed to the disk before it was renamed into
    place, and so were the folder's entries and its parent's (the rename that publishes
    the run): a power cut right after the run loses nothing (files keep their inode
    through a rename, so inodes tell which were flushed)."""
    if os.name == "nt":
        pytest.skip("Windows journals renames; folders are not flushed there")
    synced: set[int] = set()
    fsync = os.fsync

    def recording(handle: int) -> None:
        synced.add(os.fstat(handle).st_ino)
        fsync(handle)

    monkeypatch.setattr(os, "fsync", recording)
    out = tmp_path / "out"
    status, _, err = run_in(
        capsys, tmp_path, str(ROOT / "scenarios" / "penny_fab.yaml"), *SHORT, "--out", str(out)
    )
    assert status == 0, err
    files = [path for path in out.iterdir() if path.is_file()]
    assert files
    assert {path.name for path in files if path.stat().st_ino not in synced} == set()
    assert out.stat().st_ino in synced
    assert tmp_path.stat().st_ino in synced
