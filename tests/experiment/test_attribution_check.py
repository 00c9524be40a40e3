"""The attribution window's check against the full comparison (issue 12, "cut the work
honestly"), on a tiny two-station line with two levers.

Known answers:
- only no lever and all levers run the extra check replications, replication 0 up to
  ``replications`` being the Shapley values' own runs (counted task by task, in one
  ``executor.map``), and lever sets that share a simulation share their check runs too;
- the window's total change over the check replications, its 95 % t-CI and one
  replication's sd equal those recomputed here from runs of their own, and the total the
  shares add up to is that of the Shapley replications alone;
- ``agrees`` is whether the full comparison's mean lies in the window's CI (not the other
  way round), and with the window equal to the comparison's and as many check replications
  as the comparison has, the window's total is the full comparison's change, so they agree;
- ``check_replications`` out of its bounds is a located error naming the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.analysis.kpis import line_kpis
from sim.analysis.statistics import t_halfwidth
from sim.engine import simulate
from sim.errors import ConfigErrors
from sim.experiment.attribution import attribute, check_against_full, engine_view
from sim.experiment.executors import LocalExecutor
from sim.model import load_scenario
from sim.model.comparison_file import AttributionSpec, read_comparison_file

LINE = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny_costed_line.yaml").read_text(
    encoding="utf-8"
)
"""A two-station general line with costs (minutes), random times, failures and scrap."""

LEVERS = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny_levers.yaml").read_text(
    encoding="utf-8"
)
"""The levers of the tiny line (each scenario names the ones it applies)."""

WINDOW = 1200.0
"""The attribution window [min]."""


def write(folder: Path, name: str, levers: list[str]) -> Path:
    """Write line.yaml, levers.yaml and a scenario ``name``.yaml applying ``levers``."""
    (folder / "line.yaml").write_text(LINE, encoding="utf-8")
    (folder / "levers.yaml").write_text(LEVERS, encoding="utf-8")
    text = f"name: {name}\nline: line.yaml\nhorizon: 3000\nwarmup: 100\nreplications: 3\nseed: 5\n"
    if levers:
        text += "lever_file: levers.yaml\nlevers: [" + ", ".join(levers) + "]\n"
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class Recording(LocalExecutor):
    """A one-process executor that keeps every ``map`` call's tasks."""

    def __init__(self) -> None:
        super().__init__(1)
        self.calls: list[list[Any]] = []

    def map(self, function: Any, tasks: Any, on_done: Any = None, on_result: Any = None) -> Any:
        self.calls.append(list(tasks))
        return super().map(function, tasks, on_done, on_result)


class Counting:
    """A progress receiver that counts what it is told."""

    def __init__(self) -> None:
        self.total = 0
        self.advanced = 0

    def start(self, description: str, total: int) -> None:
        self.total += total

    def advance(self) -> None:
        self.advanced += 1


def run(path: Path, spec: AttributionSpec) -> tuple[Any, dict[str, Any], Recording, Counting]:
    scenario = load_scenario(path)
    executor, progress = Recording(), Counting()
    with executor:
        shares, settings = attribute(str(path), scenario, spec, {}, executor, line_kpis, progress)
    return shares, settings, executor, progress


def line_with(path: Path, levers: list[str]) -> Any:
    return load_scenario(path, horizon=WINDOW, levers=levers).line


@pytest.mark.parametrize(
    ("levers", "replications", "check", "simulations", "check_runs"),
    [
        (["faster", "reliable"], 1, 4, 4, 2 * 3),  # replication 0 reused, 1..3 for 2 sets
        (["faster", "reliable"], 3, 2, 4, 0),  # enough replications already
        (["faster", "staffing"], 2, 3, 2, 2 * 1),  # staffing shares faster's runs
        (["staffing", "cheaper"], 1, 3, 1, 2),  # all levers and none: one simulation
    ],
)
def test_extra_runs_only_for_no_lever_and_all_levers(
    tmp_path: Path,
    levers: list[str],
    replications: int,
    check: int,
    simulations: int,
    check_runs: int,
) -> None:
    """Known answer, task by task: the lever sets' simulations x ``replications``, then
    replications ``replications`` .. ``check_replications - 1`` of the simulations of no
    lever and of all levers (once when they share one), all in one ``map``; no
    (simulation, replication) runs twice, and the progress counts every task."""
    path = write(tmp_path, "smart", levers)
    spec = AttributionSpec(
        horizon=WINDOW, replications=replications, check_replications=check, kpis=["throughput"]
    )
    _, settings, executor, progress = run(path, spec)
    assert len(executor.calls) == 1
    tasks = executor.calls[0]
    assert settings["simulated_lever_sets"] == simulations
    assert settings["check_runs"] == check_runs and settings["runs"] == len(tasks)
    assert len(tasks) == simulations * replications + check_runs
    assert settings["check_replications"] == max(check, replications)
    ends = {engine_view(line_with(path, [])), engine_view(line_with(path, levers))}
    extra = tasks[simulations * replications :]
    assert {engine_view(task[0]) for task in extra} <= ends
    for view in ends:
        found = sorted(task[4] for task in extra if engine_view(task[0]) == view)
        assert found == list(range(replications, max(check, replications))), view
    keys = [(engine_view(task[0]), task[4]) for task in tasks]
    assert len(keys) == len(set(keys))
    assert progress.total == len(tasks) == progress.advanced


def kpi_of(path: Path, levers: list[str], replication: int, kpi: str) -> float:
    """``kpi`` of one replication of the scenario with ``levers`` on the window, run here."""
    scenario = load_scenario(path, horizon=WINDOW, levers=levers)
    result = simulate(scenario.line, scenario.horizon, scenario.warmup, scenario.seed, replication)
    return float(line_kpis(result, scenario.line)[kpi])


def test_window_total_and_its_ci_from_runs_of_their_own(tmp_path: Path) -> None:
    """Known answer: the window's total change of throughput over 4 check replications is
    the mean of 100 (all / none - 1) per replication of runs made here (1e-9), its CI the
    Student-t interval of those and ``replication_sd_percent`` their sd; the total the
    shares add up to (``attributed_percent``) is replication 0's alone, and the Shapley
    values add up to its absolute change."""
    levers = ["faster", "reliable"]
    path = write(tmp_path, "smart", levers)
    spec = AttributionSpec(
        horizon=WINDOW, replications=1, check_replications=4, kpis=["throughput"]
    )
    shares, settings, _, _ = run(path, spec)
    none = np.array([kpi_of(path, [], r, "throughput") for r in range(4)])
    every = np.array([kpi_of(path, levers, r, "throughput") for r in range(4)])
    change = 100.0 * (every / none - 1.0)
    window = settings["window_total_percent"]["throughput"]
    half = t_halfwidth(change)
    assert window["n"] == 4 and window["mean"] == pytest.approx(change.mean(), rel=1e-9)
    assert window["ci95"] == pytest.approx([change.mean() - half, change.mean() + half])
    assert window["std"] == pytest.approx(change.std(ddof=1), rel=1e-9) and window["std"] > 0
    attributed = settings["attributed_total_percent"]["throughput"]
    assert attributed["n"] == 1 and attributed["mean"] == pytest.approx(change[0], rel=1e-9)
    total = sum(values[0] for values in shares["throughput"].values())
    assert total == pytest.approx(every[0] - none[0], rel=1e-9)

    content = {
        "reference": "plain",
        "replications": 6,
        "differences": {"throughput": {"smart": {"percent": {"mean": 1.0, "ci95": [0.9, 1.1]}}}},
        "attribution_settings": settings,
    }
    check_against_full(content, "smart")
    found = content["attribution_settings"]["check"]["throughput"]
    assert found["replication_sd_percent"] == window["std"]
    assert found["attributed_percent"] == attributed["mean"]
    assert found["window_replications"] == 4 and found["attributed_replications"] == 1
    assert found["full_replications"] == 6


def checked(window: dict[str, Any], full: dict[str, Any]) -> dict[str, Any]:
    """``check_against_full`` of one KPI's window total against a full comparison."""
    content = {
        "reference": "before",
        "replications": 4,
        "differences": {"throughput": {"after": {"mean": 1.0, "percent": full}}},
        "attribution_settings": {
            "window_total_percent": {"throughput": window},
            "attributed_total_percent": {"throughput": {"mean": 11.8, "n": 1}},
        },
    }
    check_against_full(content, "after")
    result: dict[str, Any] = content["attribution_settings"]["check"]["throughput"]
    return result


@pytest.mark.parametrize(
    ("window_ci", "full_mean", "agrees"),
    [
        ([12.7, 19.2], 16.25, True),  # the full change inside the window's CI
        ([12.7, 19.2], 12.7, True),  # on its edge
        ([12.7, 19.2], 20.0, False),  # beyond it
        ([8.0, 11.0], 16.25, False),
        (None, 16.25, None),  # no CI of the window: not checked
    ],
)
def test_agrees_is_read_from_the_window_ci(
    window_ci: list[float] | None, full_mean: float, agrees: bool | None
) -> None:
    """Known answer: ``agrees`` is whether the full comparison's mean lies inside the
    window's 95 % CI, whatever the full comparison's own (narrow) CI; there is no
    ``inside`` key any more."""
    window = {"mean": 15.9, "ci95": window_ci, "std": 3.0, "n": 4 if window_ci else 1}
    full = {"mean": full_mean, "ci95": [full_mean - 0.4, full_mean + 0.4]}
    found = checked(window, full)
    assert found["agrees"] is agrees and "inside" not in found
    assert found["window_percent"] == 15.9 and found["full_percent"] == full_mean
    assert found["full_ci95"] == full["ci95"] and found["window_ci95"] == window_ci


def test_a_window_equal_to_the_comparison_agrees_with_it(tmp_path: Path) -> None:
    """Known answer: the comparison's reference is the compared scenario without levers;
    with the attribution on the comparison's own window and as many check replications as
    the comparison has (same seeds), the window's total change is the comparison's paired
    percent change, mean and CI (1e-9), so the check agrees; the shares rest on the one
    replication the file asks for."""
    from sim.experiment.compare import compare

    write(tmp_path, "plain", [])
    write(tmp_path, "smart", ["faster", "reliable", "staffing"])
    spec = tmp_path / "study.yaml"
    spec.write_text(
        "name: study\ncompare: [plain.yaml, smart.yaml]\n"
        "attribution: {replications: 1, check_replications: 3, kpis: [throughput, cost_per_ah]}\n",
        encoding="utf-8",
    )
    result = compare(str(spec), attribution=True, jobs=1)
    settings = result.content["attribution_settings"]
    assert settings["check_replications"] == 3 and settings["replications"] == 1
    for kpi in ("throughput", "cost_per_ah"):
        check = settings["check"][kpi]
        full = result.content["differences"][kpi]["smart"]["percent"]
        assert check["window_replications"] == 3 == result.content["replications"]
        assert check["window_percent"] == pytest.approx(full["mean"], rel=1e-9)
        assert check["window_ci95"] == pytest.approx(full["ci95"], rel=1e-9)
        assert check["agrees"] is True and check["attributed_replications"] == 1


@pytest.mark.parametrize("value", ["1", "1001", "four"])
def test_check_replications_out_of_bounds_is_located(tmp_path: Path, value: str) -> None:
    """``attribution.check_replications`` below 2, above 1000 or not a number is an error
    at file:line:col naming the key and what it takes, never a traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"compare: [a.yaml, b.yaml]\nattribution:\n  check_replications: {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigErrors) as caught:
        read_comparison_file(path)
    text = str(caught.value)
    assert f"{path}:3:3: attribution.check_replications" in text
    fix = {"1": "greater than or equal to 2", "1001": "less than or equal to 1000"}
    assert fix.get(value, "integer") in text


def test_check_replications_default_and_schema() -> None:
    """Default 4, bounds 2..1000 in the exported JSON Schema, described with its unit."""
    from sim.model.schema_export import schemas

    assert AttributionSpec().check_replications == 4
    field = schemas()["comparison"]["$defs"]["AttributionSpec"]["properties"]["check_replications"]
    assert field["minimum"] == 2 and field["maximum"] == 1000 and field["default"] == 4
    assert "[-]" in field["description"]
