"""``linesim compare`` end to end on a tiny costed line: files, claim check and attribution.

Every run is short (a few thousand minutes, three replications, one process) and writes
into ``tmp_path``. Known answers: the layout of ``comparison.json`` and
``comparison.csv`` given in the issue; the claim table's four readings; and lever
attributions (Shapley values) whose means add up to the mean paired change between the
scenario with all its levers and with none, recomputed here on the attribution window.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim.cli
from sim.analysis.comparison import CLAIM_READINGS
from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.model import load_scenario

LINE = (Path(__file__).resolve().parent / "fixtures" / "tiny_costed_line.yaml").read_text(
    encoding="utf-8"
)
"""A two-station general line with costs (minutes), random times, failures and scrap."""

LEVERS = (Path(__file__).resolve().parent / "fixtures" / "tiny_levers.yaml").read_text(
    encoding="utf-8"
)
"""The levers of the tiny line (each scenario names the ones it applies)."""

COMMON = ["--replications", "3", "--no-plots", "--quiet", "--jobs", "1"]
"""Options of every run: three replications in this process, no plots."""

SEED = 7
"""Seed of every scenario file (the first scenario's seed is used for all)."""


def write_inputs(folder: Path) -> dict[str, Path]:
    """Write the line, the lever file and scenarios ``base`` (the line), ``tuned``
    (``set`` a longer press MTBF) and ``smart`` (the three levers)."""
    (folder / "line.yaml").write_text(LINE, encoding="utf-8")
    (folder / "levers.yaml").write_text(LEVERS, encoding="utf-8")
    head = f"line: line.yaml\nhorizon: 4000\nwarmup: 100\nreplications: 5\nseed: {SEED}\n"
    texts = {
        "base": head,
        "tuned": head + "set: {stations.press.failures.mtbf: 300}\n",
        "smart": head + "lever_file: levers.yaml\nlevers: [faster, reliable, leaner]\n",
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(f"name: {name}\n{text}", encoding="utf-8")
    return paths


def run_compare(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Run ``linesim compare ARGS``, require exit 0 and return comparison.json."""
    out = Path(args[args.index("--out") + 1])
    status = sim.cli.main(["compare", *args, *COMMON])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "Traceback" not in captured.err
    content: dict[str, Any] = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    return content


def assert_difference(entry: Any) -> None:
    """``{"mean", "ci95", "percent": {"mean", "ci95"}}`` with a finite mean and an interval."""
    assert isinstance(entry, dict) and set(entry) >= {"mean", "ci95", "percent"}
    assert set(entry["percent"]) >= {"mean", "ci95"}
    assert entry["mean"] is not None and math.isfinite(entry["mean"])
    low, high = entry["ci95"]
    assert low <= entry["mean"] <= high


def test_compare_writes_differences_and_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Known answer: with three scenarios, ``differences.<kpi>`` has exactly ``tuned`` and
    ``smart`` (not the reference ``base``), each a paired estimate whose mean is the
    difference of the scenario means (no NaN here); comparison.csv has one row per KPI and
    scenario (3 x number of KPIs), with the KPI's unit, and its change columns are empty
    for the reference."""
    paths = write_inputs(tmp_path)
    out = tmp_path / "out"
    content = run_compare(
        [
            str(paths["base"]),
            str(paths["tuned"]),
            str(paths["smart"]),
            "--horizon",
            "2000",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert content["scenarios"] == ["base", "tuned", "smart"]
    assert content["reference"] == "base"
    assert content["horizon"] == 2000.0 and content["replications"] == 3
    # Every KPI carries its unit, as the console's unit column shows it.
    assert set(content["units"]) == set(content["kpis"])
    assert content["units"]["throughput"].endswith(f"/ {content['time_unit']}")
    assert content["seed"] == SEED
    kpis = content["kpis"]
    for kpi in (
        "throughput",
        "ah_per_year",
        "cost_per_ah",
        "conversion_cost_per_ah",
        "ah_per_labour_hour",
        "cost.energy",
        "energy_kwh_per_kwh",
    ):
        assert kpi in content["differences"], kpi
    for kpi, per_scenario in content["differences"].items():
        assert set(per_scenario) == {"tuned", "smart"}, kpi
        for name, entry in per_scenario.items():
            if kpis[kpi][name]["mean"] is None:
                continue
            assert_difference(entry)
            expected = kpis[kpi][name]["mean"] - kpis[kpi]["base"]["mean"]
            assert entry["mean"] == pytest.approx(expected, rel=1e-9, abs=1e-9), kpi
    assert content["differences"]["throughput"]["smart"]["mean"] > 0
    assert content["differences"]["cost.direct_labour"]["smart"]["percent"][
        "mean"
    ] == pytest.approx(-50.0, rel=1e-9)
    assert content["levers"]["smart"].keys() == {"faster", "reliable", "leaner"}

    with (out / "comparison.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * len(kpis)
    assert {(row["kpi"], row["scenario"]) for row in rows} == {
        (kpi, name) for kpi in kpis for name in ("base", "tuned", "smart")
    }
    for row in rows:
        assert row["unit"] == content["units"][row["kpi"]]
        if row["scenario"] == "base":
            assert row["change"] == "" and row["change_ci95_low"] == ""
        elif row["kpi"] == "throughput":
            entry = content["differences"]["throughput"][row["scenario"]]
            assert float(row["change"]) == pytest.approx(entry["mean"], rel=1e-9)
            assert float(row["change_ci95_high"]) == pytest.approx(entry["ci95"][1], rel=1e-9)
            percent = entry["percent"]
            assert float(row["change_percent"]) == pytest.approx(percent["mean"], rel=1e-9)
    for name in ("base", "tuned", "smart"):
        assert (out / name).is_dir()


def test_comparison_file_with_claim(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Known answer: a comparison file ``compare: [base, smart]`` with ``claim:`` gives
    ``claim.rows.smart.<reading>`` for the 5 readings (efficiency a/b, cost a/b/c), each
    carrying the paired percent change of its KPI and a three-way verdict."""
    write_inputs(tmp_path)
    spec = tmp_path / "claim.yaml"
    spec.write_text(
        "name: claim\ncompare: [base.yaml, smart.yaml]\nclaim: {efficiency: 20, cost: -20}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    content = run_compare([str(spec), "--horizon", "2000", "--out", str(out)], capsys)
    claim = content["claim"]
    assert claim["efficiency_percent"] == 20 and claim["cost_percent"] == -20
    assert set(claim["rows"]) == {"smart"}
    rows = claim["rows"]["smart"]
    assert len(rows) == 5
    assert [(key, row["claim"], row["kpi"]) for key, row in rows.items()] == [
        (key, half, kpi) for key, half, _, kpi in CLAIM_READINGS
    ]
    for row in rows.values():
        assert row["claimed_percent"] == (20 if row["claim"] == "efficiency" else -20)
        assert row["percent"] == content["differences"][row["kpi"]]["smart"]["percent"]
        assert row["verdict"] in {"below", "consistent", "above"}


def paired_total(path: Path, kpi: str, horizon: float, warmup: float, replications: int) -> float:
    """Mean over replications of KPI(all levers) - KPI(no lever), recomputed in code."""
    differences = []
    for replication in range(replications):
        values = []
        for levers in (None, []):
            scenario = load_scenario(
                path,
                horizon=horizon,
                warmup=warmup,
                seed=SEED,
                replications=replications,
                levers=levers,
            )
            result = simulate(scenario.line, scenario.horizon, scenario.warmup, SEED, replication)
            values.append(line_kpis(result, scenario.line)[kpi])
        differences.append(values[0] - values[1])
    return float(np.mean(differences))


def test_attribution_from_a_comparison_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Known answer: with ``--attribution`` and ``attribution: {horizon: 1500,
    replications: 3}``, ``attribution.<kpi>.<lever>`` exists for the three levers of
    ``smart`` and the KPIs asked, exact (2^3 = 8 lever sets), and the lever means add up
    to the mean paired difference smart - smart without levers on that 1500 min window
    (1e-9), recomputed here replication by replication."""
    paths = write_inputs(tmp_path)
    spec = tmp_path / "attr.yaml"
    spec.write_text(
        "name: attr\ncompare: [base.yaml, smart.yaml]\n"
        "attribution: {horizon: 1500, replications: 3, "
        "kpis: [throughput, cost_per_ah, ah_per_labour_hour]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    content = run_compare(
        [str(spec), "--horizon", "2000", "--attribution", "--out", str(out)], capsys
    )
    settings = content["attribution_settings"]
    assert settings["horizon"] == 1500.0 and settings["replications"] == 3
    assert settings["method"] == "exact" and settings["lever_sets"] == 8
    assert set(content["attribution"]) == {"throughput", "cost_per_ah", "ah_per_labour_hour"}
    for kpi, per_lever in content["attribution"].items():
        assert set(per_lever) == {"faster", "reliable", "leaner"}
        total = paired_total(paths["smart"], kpi, 1500.0, settings["warmup"], 3)
        attributed = sum(entry["mean"] for entry in per_lever.values())
        assert attributed == pytest.approx(total, rel=1e-9, abs=1e-12), kpi
    # leaner changes only costs: no share of the throughput change
    assert content["attribution"]["throughput"]["leaner"]["mean"] == pytest.approx(0.0, abs=1e-12)
    # the window's check: 4 replications (the default) of all levers and none, the full
    # comparison's change against their CI; the shares' total is that of their 3
    assert settings["check_replications"] == 4
    for kpi, check in settings["check"].items():
        assert "inside" not in check and check["window_replications"] == 4
        low, high = check["window_ci95"]
        assert check["agrees"] is (low <= check["full_percent"] <= high), kpi
        assert check["attributed_replications"] == 3 and check["replication_sd_percent"] >= 0


def test_sampled_attribution_states_its_orders_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Known answer: ``method: sampled, samples: 3`` takes two random lever orders and their
    reverses (4 orders), the lever means still add up to the paired total on the window
    (each order telescopes), and the sampling error of every value is in
    ``attribution_settings``, on the console (+/-) and in the report's attribution section."""
    paths = write_inputs(tmp_path)
    spec = tmp_path / "attr.yaml"
    spec.write_text(
        "name: attr\ncompare: [base.yaml, smart.yaml]\n"
        "attribution: {horizon: 1500, replications: 2, method: sampled, samples: 3, "
        "kpis: [throughput]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    status = sim.cli.main(
        ["compare", str(spec), "--horizon", "2000", "--attribution", "--out", str(out), *COMMON]
    )
    printed = capsys.readouterr().out
    assert status == 0
    content = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    settings = content["attribution_settings"]
    assert settings["method"] == "sampled" and settings["orders"] == 4
    assert "2 random lever orders and their reverses" in " ".join(settings["cut"])
    errors = settings["sampling_error"]["throughput"]
    assert set(errors) == {"faster", "reliable", "leaner"}
    assert all(math.isfinite(value) and value >= 0 for value in errors.values())
    total = paired_total(paths["smart"], "throughput", 1500.0, settings["warmup"], 2)
    attributed = sum(entry["mean"] for entry in content["attribution"]["throughput"].values())
    assert attributed == pytest.approx(total, rel=1e-9, abs=1e-12)
    assert "+/-" in printed and "antithetic" in " ".join(printed.split())
    from sim.report.compare_html import render_comparison_report

    page = render_comparison_report(out, content)
    assert "antithetic pairs" in page and "&plusmn; the standard error" in page
    assert page.count(" \u00b1 ") == 3  # each lever's value and its error


def test_attribution_from_scenario_files_uses_the_compare_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Known answer: two scenario files and ``--attribution`` attribute the default KPIs on
    the comparison's own window (``--horizon 1200``, 3 replications); for each, the lever
    means add up to the paired smart - base difference of ``differences`` (base is smart
    without levers, on the same seed and window)."""
    paths = write_inputs(tmp_path)
    out = tmp_path / "out"
    content = run_compare(
        [
            str(paths["base"]),
            str(paths["smart"]),
            "--horizon",
            "1200",
            "--attribution",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert content["attribution_settings"]["horizon"] == 1200.0
    assert set(content["attribution"]) == {
        "throughput",
        "ah_per_year",
        "cost_per_ah",
        "conversion_cost_per_ah",
        "operating_cost_per_ah",
        "ah_per_labour_hour",
    }
    for kpi, per_lever in content["attribution"].items():
        attributed = sum(entry["mean"] for entry in per_lever.values())
        total = content["differences"][kpi]["smart"]["mean"]
        assert attributed == pytest.approx(total, rel=1e-9, abs=1e-12), kpi


def test_comparison_name_is_a_folder_name_not_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A comparison file named ``../../escaped`` writes under results/, never beside it."""
    write_inputs(tmp_path)
    spec = tmp_path / "claim.yaml"
    spec.write_text("name: ../../escaped\ncompare: [base.yaml, smart.yaml]\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    command = ["compare", str(spec), "--horizon", "500", "--no-plots", "--quiet"]
    assert sim.cli.main(command) == 0
    capsys.readouterr()
    written = [p.relative_to(work) for p in work.rglob("comparison.json")]
    assert len(written) == 1 and written[0].parts[0] == "results" and len(written[0].parts) == 3
    assert not (tmp_path / "escaped").exists() and not (work.parent / "escaped").exists()


def test_claim_at_plant_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Known answer at 50 % plant load of a 10 M Ah/yr nameplate: both lines can make more
    than the 5 M Ah a year that is sold, so output per line hour changes by exactly 0 %
    (extra capacity that is not sold is worth nothing); every reading is of the sold-Ah
    KPIs and the table says at which load it was read."""
    write_inputs(tmp_path)
    spec = tmp_path / "claim.yaml"
    spec.write_text(
        "name: claim\ncompare: [base.yaml, smart.yaml]\nclaim: {efficiency: 20, cost: -20}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    content = run_compare(
        [
            str(spec),
            "--horizon",
            "2000",
            "--set",
            "costs.load=0.5",
            "--set",
            "target.ah_per_year=1e7",
            "--out",
            str(out),
        ],
        capsys,
    )
    claim = content["claim"]
    assert claim["load"] == 0.5
    rows = claim["rows"]["smart"]
    assert [row["kpi"] for row in rows.values()] == [
        "sold_ah_per_year",
        "sold_ah_per_labour_hour",
        "cost_per_sold_ah",
        "conversion_cost_per_sold_ah",
        "operating_cost_per_sold_ah",
    ]
    assert rows["output_per_line_hour"]["percent"]["mean"] == pytest.approx(0.0, abs=1e-9)
    assert content["kpis"]["sold_ah_per_year"]["base"]["mean"] == pytest.approx(5e6)
    assert all("50% plant load" in row["reading"] for row in rows.values())
