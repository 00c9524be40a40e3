"""Everyday output: units on every KPI, numbers for people, help and version, progress in
a log, runaway runs stopped by default, clear words for a line given as a scenario."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pytest

from sim import figures
from sim.cli import COMMANDS, _parser, main
from sim.errors import RunError
from sim.experiment.guards import default_memory_budget, expected_events, memory_guard
from sim.model import load_scenario
from sim.report.numbers import format_number, format_quantity

ROOT = Path(__file__).resolve().parent.parent
PENNY = str(ROOT / "scenarios" / "penny_fab.yaml")
SHORT = ["--replications", "2", "--horizon", "50", "--warmup", "0", "--no-plots"]


def test_numbers_are_for_people() -> None:
    """One rule per kind (sim.figures), which the reports' format_number follows: a
    measure in four significant digits, whole from 1,000, M/G/T from a million; a share
    [-] in four decimals; counts with thousands separators; percentages with one decimal."""
    assert format_number(6.031e7) == "60.31 M"
    assert format_quantity(6.031e7, "EUR") == "60.31 M EUR"
    assert format_quantity(2.954e8, "Ah / year") == "295.4 M Ah / year"
    assert format_number(1234.4) == "1,234" and format_number(14694.2) == "14,694"
    assert format_number(0.8346) == "0.8346" and format_number(20.3671) == "20.37"
    assert format_number(3.3e6) == "3.3 M" and format_number(1.5e9) == "1.5 G"
    assert format_number(None) == "-" and format_number(float("nan")) == "-"
    assert format_number(-3059.26) == "-3,059" and format_number(2.5, signed=True) == "+2.5"
    assert format_quantity(0.5, "-") == "0.5000" and format_quantity(0.0, "-") == "0.0000"
    assert figures.count(3_312_345.0) == "3,312,345"
    assert figures.share_percent(0.789) == "78.9 %"
    assert figures.percent(16.33, signed=True) == "+16.3 %"
    for value in (1e3, 5e5, 6.031e7, 2.954e8, 3e12, 12.5, 0.001):
        assert "e" not in format_number(value)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1, "1 replication"),
        (2, "2 replications"),
        (0, "0 replications"),
        (1e3, "1,000 replications"),
    ],
)
def test_plurals_follow_the_count(amount: int, text: str) -> None:
    assert figures.plural(amount, "replication") == text


def test_every_kpi_carries_its_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """summary.json: a unit next to mean, std, ci95 for every line and station KPI; the
    serial line's output is jobs, and the console prints the same units."""
    out = tmp_path / "out"
    assert main(["run", PENNY, *SHORT, "--quiet", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["output_unit"] == "jobs"
    assert summary["kpis"]["throughput"]["unit"] == "jobs / h"
    assert summary["kpis"]["flow_time"]["unit"] == "h"
    for station in summary["stations"].values():
        assert all("unit" in estimate for estimate in station.values())
        assert station["throughput"]["unit"] == "jobs / h"
    assert "jobs / h" in printed and "good units" not in printed


def test_general_line_units_and_costs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The reference line counts modules; costs carry the currency and print as people
    read them; the console shows cost per Ah, capex, energy, labour and a delay's fill."""
    out = tmp_path / "out"
    status = main(
        ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--horizon", "1 d", "--warmup",
         "1 d", "--replications", "1", "--no-plots", "--quiet", "--out", str(out)]
    )  # fmt: skip
    assert status == 0
    printed = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    kpis = summary["kpis"]
    assert summary["output_unit"] == "modules" and summary["currency"] == "EUR"
    assert kpis["throughput"]["unit"] == "modules / h"
    assert kpis["capex"]["unit"] == "EUR" and kpis["cost_per_ah"]["unit"] == "EUR / Ah"
    assert kpis["wip.cathode-slit"]["unit"] == "m of cathode-slit"
    assert summary["stations"]["cathode-coating"]["throughput"]["unit"] == "m / h"
    for name in ("cost_per_ah", "capex", "energy_kwh_per_kwh", "labour_hours_per_mah", "fill"):
        assert name in printed
    assert " M " in printed and "e+07" not in printed


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    """--version works; every option of every subcommand has a help text; no '%%'."""
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("linesim ")
    for name in COMMANDS:  # only the chosen command's options are built: build each
        parser = _parser([name])
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        sub = commands.choices[name]
        text = sub.format_help()
        assert "%%" not in text, name
        for action in sub._actions:
            assert action.help, f"linesim {name} {action.option_strings or action.dest}"


def test_progress_lines_in_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """stdout not a terminal and no --quiet: one line per finished replication batch."""
    assert main(["run", PENNY, *SHORT, "--jobs", "1", "--out", str(tmp_path / "o")]) == 0
    printed = capsys.readouterr().out
    assert "penny_fab: replications: 1 of 2 runs done after" in printed
    assert "penny_fab: replications: 2 of 2 runs done after" in printed


def test_a_line_file_is_not_a_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """linesim run configs/penny_fab.yaml says a scenario is needed and shows one."""
    assert main(["run", str(ROOT / "configs" / "penny_fab.yaml"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is a line, not a scenario" in err
    assert "line: " in err and 'horizon: "30 d"' in err and "replications: 5" in err


def test_unknown_cluster_scheme_fails_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    """--cluster foo://bar: exit 2 naming the schemes, without waiting for a timeout."""
    pytest.importorskip("distributed")
    start = time.monotonic()
    assert main(["run", PENNY, *SHORT, "--quiet", "--cluster", "foo://bar"]) == 2
    assert time.monotonic() - start < 30
    err = capsys.readouterr().err
    assert "--cluster foo://bar: not a Dask scheduler address" in err and "tcp" in err


@pytest.mark.parametrize("address", ["garbage", "tcp://host"])
def test_a_cluster_address_without_a_port_fails_at_once(
    address: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TCP scheduler needs its port (once a ValueError traceback from Dask's client)."""
    pytest.importorskip("distributed")
    assert main(["run", PENNY, *SHORT, "--quiet", "--cluster", address]) == 2
    err = capsys.readouterr().err
    assert f"--cluster {address}: not a Dask scheduler address (missing port number" in err
    assert "Traceback" not in err


def test_a_tls_cluster_without_certificates_fails_at_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--cluster tls://... with no client certificates in Dask's configuration: one line
    naming the settings (once a TypeError traceback from Dask's client)."""
    pytest.importorskip("distributed")
    for name in ("CA_FILE", "CLIENT__CERT", "CLIENT__KEY"):
        monkeypatch.delenv(f"DASK_DISTRIBUTED__COMM__TLS__{name}", raising=False)
    assert main(["run", PENNY, *SHORT, "--quiet", "--cluster", "tls://127.0.0.1:8786"]) == 2
    err = capsys.readouterr().err
    assert "--cluster tls://127.0.0.1:8786: no TLS certificates for the client" in err
    assert "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("line", "clock"),
    [
        (
            "release: {policy: conwip, wip: 2}\nstations:\n  - {name: a, process_time: 1, "
            "minor_stops: {mtbf: 1.0e-9, duration: 1.0e-9}}\n",
            "minor stops every 1e-09 h at a",
        ),
        (
            "release: {policy: push, interarrival: 1.0e-9}\nstations:\n"
            "  - {name: a, process_time: 1}\n",
            "push arrivals every 1e-09 h",
        ),
    ],
    ids=["minor-stops", "push-flood"],
)
def test_runaway_clocks_are_refused_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, clock: str
) -> None:
    """Clocks of 1e-9 h (days of spinning, or 5.6 GB in 86 s) are refused before they
    run, by the work estimate, naming the clock and the flag that allows long runs."""
    (tmp_path / "line.yaml").write_text(f"name: runaway\n{line}", encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("line: line.yaml\nhorizon: 100\nreplications: 1\n", encoding="utf-8")
    status = main(["run", str(scenario), "--quiet", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2 and clock in err and "--allow-long" in err
    events, _ = expected_events(load_scenario(scenario).line, 100)
    assert events > 1e10


def test_memory_guard_stops_a_growing_replication() -> None:
    """The watchdog stops a block whose memory passes the bound, with a clear message;
    the default budget is a share of the available memory (at least 512 MB)."""
    held = []
    with pytest.raises(RunError) as caught, memory_guard(1.0, "grow", 100.0):
        for _ in range(10_000_000):  # stopped within a fraction of a second
            held.append(bytearray(1000))
            if len(held) > 200_000:
                held.clear()
    assert "over the bound of 1 MB" in str(caught.value)
    assert "--max-memory" in str(caught.value)
    assert default_memory_budget(2) >= 512


def test_tables_fold_instead_of_cutting_at_80_columns(tmp_path: Path) -> None:
    """On an 80-column console no name or value is cut with an ellipsis."""
    import io

    from rich.console import Console

    from sim.report.tables import print_summary

    out = tmp_path / "out"
    assert main(["run", PENNY, *SHORT, "--quiet", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    summary["stations"]["a-station-with-a-very-long-name-indeed"] = next(
        iter(summary["stations"].values())
    )
    buffer = io.StringIO()
    print_summary(summary, Console(file=buffer, width=80))
    text = buffer.getvalue()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    first_cells = "".join(
        line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")
    )
    assert "a-station-with-a-very-long-name-indeed" in first_cells
