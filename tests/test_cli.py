"""The ``linesim`` command: results folder, flags, and one-line errors with exit status 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
PENNY = str(ROOT / "scenarios" / "penny_fab.yaml")
STATION_KEYS = {"busy", "idle", "blocked", "down", "setup", "utilization", "oee", "throughput"}
LINE = """\
name: two-step
release: {policy: conwip, wip: 4}
stations:
  - name: press
%s
  - name: oven
    process_time: {dist: exponential, mean: 2}
"""
"""A line; ``%s`` is the body of station ``press``, starting at file line 5."""


def write_files(
    tmp_path: Path,
    press: str = "    process_time: 2",
    scenario: str = "line: line.yaml\nhorizon: 50\nreplications: 2\n",
) -> Path:
    """Write a line and a scenario into ``tmp_path``; return the scenario path."""
    (tmp_path / "line.yaml").write_text(LINE % press, encoding="utf-8")
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario, encoding="utf-8")
    return path


def run_ok(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    """Run ``linesim run --quiet ARGS`` expecting success; return its summary.json."""
    out = next(a for a in args if a.startswith("/") and a.endswith("out"))
    assert main(["run", "--quiet", *args]) == 0, capsys.readouterr().err
    return json.loads((Path(out) / "summary.json").read_text())


def run_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run ``linesim run ARGS`` expecting exit 2 and one error line; return that line."""
    status = main(["run", "--quiet", *args])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert status == 2, text
    assert "Traceback" not in text
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_run_penny_fab_writes_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's command writes summary.json and the CSVs with the documented keys."""
    out = tmp_path / "out"
    summary = run_ok(
        capsys,
        PENNY,
        "--replications",
        "3",
        "--horizon",
        "2000",
        "--warmup",
        "200",
        "--out",
        str(out),
    )
    assert summary["scenario"] == "penny_fab"
    assert summary["seed"] == 1 and summary["replications"] == 3
    assert summary["time_unit"] == "h"
    assert (summary["horizon"], summary["warmup"]) == (2000, 200)
    kpis = summary["kpis"]
    assert isinstance(kpis, dict)
    for name in ("throughput", "flow_time", "wip", "yield"):
        estimate = kpis[name]
        assert {"mean", "std", "ci95"} <= set(estimate)
        low, high = estimate["ci95"]
        assert low <= estimate["mean"] <= high and estimate["std"] >= 0
    assert 0.3 < kpis["throughput"]["mean"] < 0.45  # theory: 8/11 x 0.5 = 0.364 per h
    stations = summary["stations"]
    assert isinstance(stations, dict)
    assert set(stations) == {"head-stamping", "tail-stamping", "rimming", "deburring"}
    for values in stations.values():
        assert set(values) >= STATION_KEYS
        assert 0 <= values["utilization"]["mean"] <= 1
    for name in ("replications.csv", "stations.csv", "timeseries.csv"):
        with (out / name).open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and "replication" in rows[0], name
    with (out / "replications.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 3
    assert "results:" in capsys.readouterr().out


def test_horizon_with_units_and_cli_set_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--horizon "30 d"`` is converted to hours; ``--set`` wins over the file's ``set:``."""
    out = tmp_path / "out"
    summary = run_ok(
        capsys,
        PENNY,
        "--replications",
        "1",
        "--horizon",
        "30 d",
        "--warmup",
        "12 h",
        "--set",
        "release.wip=3",
        "--seed",
        "5",
        "--out",
        str(out),
    )
    assert (summary["horizon"], summary["warmup"]) == (720, 12)
    assert summary["overrides"] == {"release.wip": 3}
    assert summary["seed"] == 5
    assert summary["kpis"]["wip"]["mean"] == pytest.approx(3)


def test_python_dash_m_sim(tmp_path: Path) -> None:
    """``python -m sim run`` works as a separate process."""
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            PENNY,
            "--replications",
            "2",
            "--horizon",
            "100",
            "--warmup",
            "0",
            "--jobs",
            "1",
            "--quiet",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "summary.json").read_text())["replications"] == 2


def test_python_dash_m_sim_error(tmp_path: Path) -> None:
    """A bad file exits 2 with one line on stderr, also as a separate process."""
    scenario = write_files(tmp_path, "    process_time: 2\n    bufer: 3")
    done = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(scenario)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {tmp_path / 'line.yaml'}:6:")
    assert "stations.press.bufer: unknown key 'bufer'; did you mean 'buffer'?" in lines[0]


@pytest.mark.parametrize(
    ("press", "where", "path", "words"),
    [
        (
            "    process_time: 2\n    bufer: 3",
            "line.yaml:6:",
            "stations.press.bufer",
            "did you mean 'buffer'",
        ),
        (
            "    process_time: {dist: exponential, mean: -2}",
            "line.yaml:5:",
            "stations.press.process_time.mean",
            "greater than 0",
        ),
        (
            "    process_time: 2\n    scrap: 1.2",
            "line.yaml:6:",
            "stations.press.scrap",
            "less than or equal to 1",
        ),
        (
            "    process_time: 2\n    scrap: 1",
            "line.yaml:6:",
            "stations.press.scrap",
            "never produce",
        ),
        ("    process_time: '20 parsecs'", "line.yaml:5:", "stations.press.process_time", "'45 s'"),
        ("    process_time: [2", "line.yaml:", "", "not valid YAML"),
    ],
)
def test_bad_line_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    press: str,
    where: str,
    path: str,
    words: str,
) -> None:
    """Bad line files exit 2 with one line naming the file, line, YAML path and the fix."""
    error = run_error(capsys, str(write_files(tmp_path, press)))
    assert f"error: {tmp_path / where}" in error
    assert f" {path}" in error
    assert words in error


def test_batch_larger_than_buffer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A batch that can never fit its buffer is an error at the buffer."""
    scenario = write_files(tmp_path)
    text = (tmp_path / "line.yaml").read_text() + "    buffer: 2\n    batch: {size: 3}\n"
    (tmp_path / "line.yaml").write_text(text)
    error = run_error(capsys, str(scenario))
    assert f"{tmp_path / 'line.yaml'}:8:5: stations.oven.buffer:" in error


def test_conwip_without_wip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CONWIP release without wip is located at release."""
    scenario = write_files(tmp_path)
    text = (tmp_path / "line.yaml").read_text().replace(", wip: 4", "")
    (tmp_path / "line.yaml").write_text(text)
    error = run_error(capsys, str(scenario))
    assert f"{tmp_path / 'line.yaml'}:2:" in error and " release: " in error
    assert "wip: N" in error


@pytest.mark.parametrize(
    ("scenario", "where", "path"),
    [
        ("line: missing.yaml\nhorizon: 5\n", "scenario.yaml:1:", "line"),
        ("line: line.yaml\nhorizon: 5\nreplication: 3\n", "scenario.yaml:3:", "replication"),
        ("line: line.yaml\nhorizon: 5 fortnights\n", "scenario.yaml:2:", "horizon"),
        (
            "line: line.yaml\nhorizon: 5\nset: {stations.press.scrap: 2}\n",
            "scenario.yaml:3:",
            "set.stations.press.scrap",
        ),
        (
            "line: line.yaml\nhorizon: 5\nset: {stations.nope.machines: 2}\n",
            "scenario.yaml",
            "set.stations.nope.machines",
        ),
        (
            "line: line.yaml\nhorizon: 5\nset: {stations.press.process_time.mean: 2}\n",
            "scenario.yaml",
            "set.stations.press.process_time.mean",
        ),
        ("line: [line.yaml\n", "scenario.yaml:", ""),
    ],
)
def test_bad_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], scenario: str, where: str, path: str
) -> None:
    """Bad scenario files exit 2 with one line naming the scenario file and path."""
    error = run_error(capsys, str(write_files(tmp_path, scenario=scenario)))
    assert error.startswith(f"error: {tmp_path / where}")
    assert f" {path}" in error


def test_missing_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A scenario file that does not exist is one error line."""
    error = run_error(capsys, str(tmp_path / "nope.yaml"))
    assert f"{tmp_path / 'nope.yaml'}" in error and "not found" in error


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--set", "stations.nope.machines=2"], "stations.nope.machines: no entry named 'nope'"),
        (["--set", "stations.press.process_time.mean=2"], "not a mapping"),
        (["--set", "stations.press.machines=0"], "stations.press.machines:"),
        (["--set", "stations.oven.bufer=2"], "did you mean 'buffer'"),
        (["--set", "release.wip"], "PATH=VALUE"),
        (["--horizon", "30 fortnights"], "--horizon"),
        (["--horizon", "0"], "--horizon"),
        (["--warmup", "-1"], "--warmup"),
        (["--replications", "0"], "--replications"),
        (["--seed", "-3"], "--seed"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_bad_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    """Bad flags and overrides exit 2 with one line; overrides name the command line."""
    error = run_error(capsys, str(write_files(tmp_path)), *args)
    assert words in error
    if args[0] == "--set":
        assert "<command line>" in error


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown commands and non-integer counts are usage errors (exit 2)."""
    for argv in (["frobnicate"], ["run", PENNY, "--replications", "many"], []):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_markup_in_messages_is_printed_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Square brackets from the user's file are shown as written, not as markup."""
    error = run_error(capsys, str(write_files(tmp_path, '    process_time: 2\n    "[/x]": 1')))
    assert "'[/x]'" in error


def test_brackets_in_paths_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder called ``runs[bold]`` appears in the message as it is."""
    folder = tmp_path / "runs[bold]"
    folder.mkdir()
    error = run_error(capsys, str(write_files(folder, "    process_time: -1")))
    assert "runs[bold]" in error
