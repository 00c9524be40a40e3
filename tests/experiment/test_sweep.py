"""Sweeps: designs, located errors, results equal to one-by-one runs, resuming, outputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from validation import theory  # tests/ is on sys.path: its packages import by name

from sim import build_summary, load_scenario, run
from sim.analysis.bounds import LineBounds, line_bounds
from sim.cli import main
from sim.errors import ConfigError, ConfigErrors
from sim.experiment.executors import LocalExecutor
from sim.experiment.sweep import read_sweep, run_sweep
from sim.report.sweep_files import write_sweep

from .conftest import PENNY_FAB


def test_grid_of_lists_ranges_and_linspace(penny_sweep) -> None:
    """Every combination, first parameter slowest; range includes its stop."""
    spec = read_sweep(
        penny_sweep(
            "  release.wip: {range: [2, 6, 2]}\n"
            "  stations.rimming.process_time.mean: {linspace: [1.5, 2.5, 3]}"
        )
    )
    assert [p["release.wip"] for p in spec.points] == [2, 2, 2, 4, 4, 4, 6, 6, 6]
    assert [p["stations.rimming.process_time.mean"] for p in spec.points[:3]] == [1.5, 2.0, 2.5]


def test_latin_hypercube_hits_every_stratum_once(penny_sweep) -> None:
    """With N samples each parameter's range has exactly one sample in each of N strata;
    the same design_seed gives the same points."""
    text = (
        "  release.wip: {interval: [1, 40]}\n"
        "  stations.rimming.process_time.mean: {interval: [1.0, 3.0]}"
    )
    extra = "design: lhs\nsamples: 8\ndesign_seed: 5\n"
    spec = read_sweep(penny_sweep(text, extra))
    means = sorted(p["stations.rimming.process_time.mean"] for p in spec.points)
    assert [int((m - 1.0) / 2.0 * 8) for m in means] == list(range(8))
    assert all(
        isinstance(p["release.wip"], int) and 1 <= p["release.wip"] <= 40 for p in spec.points
    )
    assert read_sweep(penny_sweep(text, extra)).points == spec.points


@pytest.mark.parametrize(
    ("parameters", "path", "message"),
    [
        ("  release.wipp: [1, 2]", "parameters.release.wipp", "unknown key 'wipp'"),
        ("  stations.nope.machines: [1, 2]", "parameters.stations.nope.machines", "no entry"),
        ("  release.wip: {range: [5, 1, 1]}", "parameters.release.wip.range", "empty range"),
        ("  release.wip: {range: [1, 5, 0]}", "parameters.release.wip.range", "step must be"),
        ("  release.wip: []", "parameters.release.wip", "empty"),
        ("  release.wip: {interval: [1, 5]}", "parameters.release.wip.interval", "design: lhs"),
        ("  release.wip: 4", "parameters.release.wip", "give a list"),
        ("  release.wip: [0, 2]", "parameters.release.wip", "greater than or equal to 1"),
    ],
)
def test_bad_parameters_name_the_file_and_yaml_path(
    penny_sweep, parameters: str, path: str, message: str, tmp_path: Path
) -> None:
    """Each mistake is a ConfigError at the sweep file, its YAML path and line."""
    file = penny_sweep(parameters)
    with pytest.raises((ConfigError, ConfigErrors)) as caught:
        run_sweep(read_sweep(file), tmp_path / "out", build_summary)
    errors = caught.value.errors if isinstance(caught.value, ConfigErrors) else [caught.value]
    assert errors[0].file == str(file)
    assert errors[0].path == path
    assert errors[0].line is not None
    assert message in str(errors[0])


def test_bad_keys_design_and_kpis(penny_sweep, tmp_path: Path) -> None:
    """Unknown top-level keys get a suggestion; an unknown KPI names the known ones."""
    with pytest.raises(ConfigError, match="did you mean 'replications'"):
        read_sweep(penny_sweep("  release.wip: [2]", "replicatons: 2\n"))
    with pytest.raises(ConfigError, match="design must be grid or lhs"):
        read_sweep(penny_sweep("  release.wip: [2]", "design: sobol\n"))
    spec = read_sweep(penny_sweep("  release.wip: [2]", "kpis: [troughput]\n"))
    with pytest.raises(ConfigError, match=r"'troughput' is not a KPI.*throughput") as caught:
        run_sweep(spec, tmp_path / "out", build_summary)
    assert caught.value.path == "kpis"


def test_sweep_equals_the_points_run_one_by_one(penny_sweep, tmp_path: Path) -> None:
    """Every point's summary equals sim.experiment.run on the same scenario, on two
    processes; every point uses the same seed (common random numbers)."""
    spec = read_sweep(penny_sweep("  release.wip: [1, 3, 8]"))
    result = run_sweep(spec, tmp_path / "out", build_summary, LocalExecutor(2))
    assert result.ran_runs == 9 and not result.partial
    for point, summary in zip(spec.points, result.summaries, strict=True):
        alone = build_summary(
            run(load_scenario(PENNY_FAB, point, replications=3, horizon=500, warmup=50))
        )
        assert summary is not None
        assert summary["seed"] == alone["seed"] == 1
        assert summary["kpis"] == alone["kpis"]
        assert summary["stations"] == alone["stations"]


def test_resume_after_an_interrupt_redoes_nothing_finished(penny_sweep, tmp_path: Path) -> None:
    """Ctrl-C after 7 of 12 runs keeps the 2 finished points (3 runs each); the re-run
    runs only the 2 other points and ends with the results of an uninterrupted sweep."""
    spec = read_sweep(penny_sweep("  release.wip: [1, 2, 4, 8]"))
    runs = [0]

    def stop_after_seven() -> None:
        runs[0] += 1
        if runs[0] == 7:
            raise KeyboardInterrupt

    first = run_sweep(spec, tmp_path / "out", build_summary, on_run=stop_after_seven)
    assert first.partial and first.ran_points == 2
    assert len(list((tmp_path / "out" / "points").glob("*.json"))) == 2
    again = run_sweep(spec, tmp_path / "out", build_summary)
    assert (again.reused_points, again.ran_points, again.ran_runs) == (2, 2, 6)
    whole = run_sweep(spec, tmp_path / "whole", build_summary)
    assert [s["kpis"] for s in again.summaries] == [s["kpis"] for s in whole.summaries]
    assert run_sweep(spec, tmp_path / "out", build_summary).ran_runs == 0


def test_outputs_table_json_plots_and_conwip_bounds(penny_sweep, tmp_path: Path) -> None:
    """sweep.csv has a row per point with mean, std and CI per KPI; a CONWIP sweep of the
    Penny Fab gets r_b = 0.5/h and T0 = 8 h and the conwip plot."""
    spec = read_sweep(penny_sweep("  release.wip: [1, 4, 8]", "kpis: [throughput, flow_time]\n"))
    folder = tmp_path / "out"
    result = run_sweep(spec, folder, build_summary)
    files = write_sweep(result, folder)
    names = {path.name for path in files}
    assert {"sweep.json", "sweep.csv", "conwip.png", "throughput_vs_release.wip.png"} <= names
    rows = list(csv.DictReader((folder / "sweep.csv").read_text().splitlines()))
    assert [int(row["release.wip"]) for row in rows] == [1, 4, 8]
    assert set(rows[0]) >= {
        "throughput_mean",
        "throughput_std",
        "throughput_ci95_low",
        "flow_time_ci95_high",
    }
    content = json.loads((folder / "sweep.json").read_text())
    assert content["bounds"] == {
        "bottleneck_rate": 0.5,
        "raw_process_time": 8.0,
        "critical_wip": 4.0,
    }


def test_parquet_when_pyarrow_is_there(penny_sweep, tmp_path: Path) -> None:
    """sweep.parquet holds the same table as sweep.csv."""
    parquet = pytest.importorskip("pyarrow.parquet")
    spec = read_sweep(penny_sweep("  release.wip: [2, 3]"))
    write_sweep(run_sweep(spec, tmp_path, build_summary), tmp_path, plots=False)
    table = parquet.read_table(tmp_path / "sweep.parquet")
    assert table.column("release.wip").to_pylist() == [2, 3]


@pytest.mark.parametrize("wip", [1, 3, 4, 9, 20])
def test_bounds_match_the_validated_theory(wip: int) -> None:
    """The plot's curves are tests/validation/theory.py's formulas."""
    bounds = line_bounds(load_scenario(PENNY_FAB).line)
    assert isinstance(bounds, LineBounds)
    assert bounds.best(wip) == pytest.approx(theory.best_case(wip, 8.0, 0.5))
    assert bounds.practical_worst(wip) == pytest.approx(theory.practical_worst_case(wip, 8.0, 0.5))
    assert bounds.worst(wip) == pytest.approx((1 / 8.0, 8.0 * wip))


def test_bounds_say_when_they_do_not_apply() -> None:
    """Parallel machines or a general line have no single-machine Factory Physics curves."""
    two = load_scenario(PENNY_FAB, {"stations.rimming.machines": 2}).line
    assert line_bounds(two) == "station rimming has 2 machines"
    general = load_scenario(PENNY_FAB.parent / "baseline.yaml").line
    assert "not a serial line" in str(line_bounds(general))


def test_cli_sweep_then_resume(penny_sweep, tmp_path: Path, capsys) -> None:
    """linesim sweep writes the folder; the same command again runs nothing."""
    file = penny_sweep("  release.wip: [2, 4]", "kpis: [throughput, flow_time]\n")
    argv = [
        "sweep",
        str(file),
        "--jobs",
        "1",
        "--out",
        str(tmp_path / "cli"),
        "--quiet",
        "--no-plots",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "2 run (6 runs" in printed
    # each KPI column names its unit (escaped: rich would take [jobs / h] for a style tag)
    assert "[jobs / h]" in printed and "[h]" in printed
    assert main([*argv, "--replications", "3"]) == 0
    assert "0 run (0 runs" in capsys.readouterr().out
    assert main([*argv[:-4], "--out", str(tmp_path / "other"), "--jobs", "0"]) == 2


def test_conwip_plot_of_a_window_where_no_job_finished(penny_sweep, tmp_path: Path) -> None:
    """A window too short for any job to finish has no flow time (NaN at every point):
    the CONWIP plot is still drawn, its flow-time axis set by the Factory Physics cases
    (this once failed in matplotlib with 'Axis limits cannot be NaN or Inf')."""
    spec = read_sweep(penny_sweep("  release.wip: [1, 4]", "kpis: [throughput, flow_time]\n"))
    spec.file.run["horizon"] = 1e-6
    spec.file.run["warmup"] = 0
    result = run_sweep(spec, tmp_path, build_summary)
    assert all(s["kpis"]["flow_time"]["mean"] is None for s in result.summaries)
    assert "conwip.png" in {path.name for path in write_sweep(result, tmp_path)}
