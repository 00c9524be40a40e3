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
        "1 duplicate rows",
        "1 rows with the wrong number of fields",
        "1 rows with unknown state words",
        "1 rows with ignored state words",
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
