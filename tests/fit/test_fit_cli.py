"""The three README steps from the command line: run --trace, fit, check; the shipped
example log fits with counted warnings and recovers its stated true values."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.cli import main
from sim.fit import read_log
from sim.model import load_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "mes_example"


def test_run_trace_writes_a_log_fit_reads(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "run"
    status = main(
        ["run", str(ROOT / "scenarios" / "penny_fab.yaml"), "--horizon", "400", "--warmup", "50",
         "--replications", "1", "--no-plots", "--quiet", "--trace", "--out", str(out)]
    )  # fmt: skip
    assert status == 0
    table = pq.read_table(out / "trace.parquet")
    assert table.column_names == ["timestamp", "station", "machine", "state", "units", "scrap"]
    log = read_log(out / "trace.parquet")
    assert log.end == pytest.approx(400 * 3600)
    assert not log.problems.items
    # Every machine is in one state at a time: its shares add up to the window.
    assert log.duration.sum() == pytest.approx(4 * 400 * 3600)
    # Good units in the trace's last station = the run's good output.
    summary = json.loads((out / "summary.json").read_text())
    last = log.machine_station[log.machine] == log.stations.index("deburring")
    assert log.units[last].sum() / 400 == pytest.approx(summary["kpis"]["throughput"]["mean"])


def test_trace_limit_cuts_the_log_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "run"
    main(
        ["run", str(ROOT / "scenarios" / "penny_fab.yaml"), "--horizon", "400",
         "--replications", "1", "--no-plots", "--quiet", "--trace", "--trace-limit", "100",
         "--out", str(out)]
    )  # fmt: skip
    assert "trace limit" in capsys.readouterr().out
    log = read_log(out / "trace.parquet")
    assert len(log.time) <= 100 and log.end < 400 * 3600


def test_example_log_fit_and_check(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "fit"
    status = main(
        ["fit", str(EXAMPLE / "mes_log.csv"), "--line", str(EXAMPLE / "line.yaml"),
         "--aliases", str(EXAMPLE / "aliases.yaml"), "--out", str(out), "--confidence", "0.99",
         "--no-plots"]
    )  # fmt: skip
    assert status == 0
    printed = capsys.readouterr().out
    for problem in (
        "1 duplicate row (row 500)",  # one row: the singular
        "1 row with the wrong number of fields",
        "1 row with unknown state words",
        "1 row with ignored state words",
        "9 rows earlier than the row before them",
    ):
        assert problem in printed  # fmt: skip
    # Every fitted number is printed with its unit (the example line's time unit is min).
    rows = {line.split("│")[1].strip(): line.split("│")[3].strip()
            for line in printed.splitlines() if line.count("│") == 4}  # fmt: skip
    assert rows["stations.stacking.failures.mtbf"] == "min"
    assert rows["stations.stacking.failures.ttf_cv"] == "-"
    assert rows["stations.welding.setup.every"] == "cycles"
    assert rows["stations.welding.scrap"] == "share"
    record = json.loads((out / "fit.json").read_text())
    stations = record["stations"]
    truth = [
        (stations["stacking"]["process_time"]["mean"], 45.0),
        (stations["stacking"]["process_time"]["cv"], 0.3),
        (stations["stacking"]["failures"]["mtbf"], 3 * 3600.0),
        (stations["stacking"]["failures"]["repair_time"]["mean"], 12 * 60.0),
        (stations["welding"]["process_time"]["mean"], 80.0),
        (stations["welding"]["scrap"], 0.03),
        (stations["sealing"]["process_time"]["mean"], 38.0),
        (stations["sealing"]["process_time"]["cv"], 0.1),
        (stations["sealing"]["minor_stops"]["gap"], 20 * 60.0),
        (stations["sealing"]["minor_stops"]["duration"], 60.0),
    ]
    for estimate, value in truth:
        assert estimate["ci"][0] <= value <= estimate["ci"][1], (estimate, value)
    scenario = load_scenario(out / "fitted.yaml")
    assert scenario.line.station("welding").setup is not None
    status = main(
        ["check", str(EXAMPLE / "mes_log.csv"), "--scenario", str(out / "fitted.yaml"),
         "--aliases", str(EXAMPLE / "aliases.yaml"), "--replications", "4", "--jobs", "1",
         "--out", str(out)]
    )  # fmt: skip
    assert status == 0
    # The units in brackets are printed, not read as rich style tags and dropped.
    printed = capsys.readouterr().out
    assert "throughput [units/min]" in printed and "busy [share]" in printed
    check = json.loads((out / "check.json").read_text())
    line_row = next(r for r in check["rows"] if r["station"] == "line")
    assert line_row["simulated"]["mean"] == pytest.approx(line_row["observed"], rel=0.1)


def test_bad_input_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    log = tmp_path / "log.csv"
    log.write_text("when,station,machine,state\n1,a,1,busy\n")
    status = main(["fit", str(log), "--line", str(EXAMPLE / "line.yaml"), "--out", str(tmp_path)])
    assert status == 2
    error = capsys.readouterr().err
    assert "log.csv" in error and "no column timestamp" in error and "Traceback" not in error


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--end", "0"], "--end (the log's end) lies at or before the log's first row"),
        (["--end", "2026-03-20T00:00:00Z"], "lies 15.79 d after the log's last row, longer "
         "than --max-gap (7 d)"),
        (["--end", "1e300"], "longer than --max-gap"),
        (["--max-gap", "0"], "--max-gap must be a positive duration"),
        (["--minor-stop=-5 min"], "--minor-stop must be a duration of 0 or more"),
    ],
    ids=["end-before-start", "end-weeks-late", "end-1e300", "max-gap-0", "minor-stop-negative"],
)  # fmt: skip
def test_fit_options_that_leave_no_sound_period_are_refused(
    options: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Each once wrote a fitted.yaml from 0 rows, of a horizon of 1e298 min that the
    scenario loader refuses, or of every state turned into a gap."""
    out = tmp_path / "fit"
    status = main(
        ["fit", str(EXAMPLE / "mes_log.csv"), "--line", str(EXAMPLE / "line.yaml"),
         "--aliases", str(EXAMPLE / "aliases.yaml"), "--out", str(out), "--no-plots", *options]
    )  # fmt: skip
    error = capsys.readouterr().err
    assert status == 2 and message in error, error
    assert not (out / "fitted.yaml").exists()


def test_a_log_of_only_a_header_or_of_other_stations_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from an empty folder, so the default results/fit_header/ of the fit that fails
    lands there (never in the project) and is shown to be cleaned up."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    header = tmp_path / "header.csv"
    header.write_text("timestamp,station,machine,state\n")
    assert main(["fit", str(header), "--line", str(EXAMPLE / "line.yaml")]) == 2
    assert "the log has no rows, only a header" in capsys.readouterr().err
    assert not (work / "results" / "fit_header").exists()
    status = main(
        ["check", str(EXAMPLE / "mes_log.csv"), "--scenario",
         str(ROOT / "scenarios" / "penny_fab.yaml"), "--replications", "1", "--jobs", "1"]
    )  # fmt: skip
    error = capsys.readouterr().err
    assert status == 2
    assert "no station of the log is a station of the line" in error
    assert "'welding' x" in error and "head-stamping" in error


def test_an_end_beyond_the_longest_run_is_refused_without_a_gap_bound() -> None:
    """Without ``max_gap`` (the API's ``None``) an end a million years on still leaves a
    period no scenario can run."""
    from sim.errors import ConfigError

    origin = read_log(EXAMPLE / "mes_log.csv").origin
    with pytest.raises(ConfigError, match="longer than a run may be"):
        read_log(EXAMPLE / "mes_log.csv", end=origin + 4e13, max_gap=None)
