"""Precision-driven replications: the count kept is the least that meets the target,
the half-widths are Student-t's, and the result does not depend on the workers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.errors import ConfigError
from sim.experiment.compare import compare
from sim.experiment.executors import LocalExecutor
from sim.experiment.precision import first_precise, widest_half_widths
from sim.model.precision import PrecisionSpec

ROOT = Path(__file__).resolve().parents[2]


def _reps(values: list[float], kpi: str = "throughput") -> list[dict[str, float]]:
    return [{kpi: v} for v in values]


def test_half_widths_are_student_t_of_the_mean_and_of_the_paired_change() -> None:
    """Reference 10, 12, 14 (mean 12, sd 2) and other 11, 12.6, 15.4 (+10 %, +5 %, +10 %):
    the mean's half-width t(0.975, 2) sd / sqrt 3 / mean, the change's the same of
    10, 5, 10 percentage points; the widest is reported."""
    reference, other = [10.0, 12.0, 14.0], [11.0, 12.6, 15.4]
    t = stats.t.ppf(0.975, 2)
    expected = [
        100 * t * np.std(reference, ddof=1) / math.sqrt(3) / 12.0,
        100 * t * np.std(other, ddof=1) / math.sqrt(3) / np.mean(other),
        t * np.std([10.0, 5.0, 10.0], ddof=1) / math.sqrt(3),
    ]
    widest = widest_half_widths([_reps(reference), _reps(other)], ["throughput"], 3)
    assert widest["throughput"] == pytest.approx(max(expected), rel=1e-12)


def test_an_undefined_value_never_meets_a_target() -> None:
    widest = widest_half_widths([_reps([1.0, math.nan, 1.0])], ["throughput"], 3)
    assert widest["throughput"] == math.inf


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.5, 1.5), min_size=2, max_size=30),
    st.floats(0.1, 50.0),
    st.integers(2, 6),
)
def test_the_count_is_the_least_that_meets_the_target(
    values: list[float], target: float, low: int
) -> None:
    """Whatever the values: the count returned meets the target, every smaller count from
    the minimum up does not, and None means none does."""
    spec = PrecisionSpec(half_width=target, min_replications=low, max_replications=30)
    kpis = [_reps(values)]
    found = first_precise(kpis, spec, ["throughput"], 1)
    meets = [
        n
        for n in range(low, len(values) + 1)
        if widest_half_widths(kpis, ["throughput"], n)["throughput"] <= target
    ]
    if found is None:
        assert meets == []
    else:
        assert found[0] == meets[0] and found[1]["throughput"] <= target


def _penny_pair(tmp_path: Path) -> list[str]:
    line = ROOT / "configs" / "penny_fab.yaml"
    files = []
    for wip in (6, 10):
        path = tmp_path / f"penny_w{wip}.yaml"
        path.write_text(
            f"line: {line}\nhorizon: 400\nwarmup: 100\nreplications: 2\nseed: 3\n"
            f"set: {{release.wip: {wip}}}\n"
        )
        files.append(str(path))
    return files


def test_the_same_replications_and_bytes_on_one_worker_and_two(tmp_path: Path) -> None:
    """Rounds of two replications (two workers) may run past the count that meets the
    target; the count kept and every figure are those of one worker's rounds of one."""
    files = _penny_pair(tmp_path)
    results = []
    for jobs in (1, 2):
        with LocalExecutor(jobs) as executor:
            results.append(compare(files, precision=4.0, executor=executor))
    one, two = (r.content for r in results)
    assert one == two
    precision = one["precision"]
    assert precision["met"] and 3 <= precision["replications"] < 20
    assert max(precision["reached_pct"].values()) <= 4.0
    assert one["replications"] == precision["replications"]
    assert one["kpis"]["throughput"]["penny_w6"]["n"] == precision["replications"]


def test_a_fixed_count_wins_and_a_bad_target_is_refused(tmp_path: Path) -> None:
    files = _penny_pair(tmp_path)
    fixed = compare(files, precision=False, replications=2)
    assert "precision" not in fixed.content and fixed.content["replications"] == 2
    with pytest.raises(ConfigError, match="half-width"):
        compare(files, precision=True)
    with pytest.raises(ConfigError, match=r"\(0, 100\]"):
        compare(files, precision=150.0)


def test_an_unreachable_target_stops_at_the_most_and_says_so(tmp_path: Path) -> None:
    comparison = tmp_path / "pair.yaml"
    files = _penny_pair(tmp_path)
    comparison.write_text(
        f"compare: [{files[0]}, {files[1]}]\n"
        "precision: {half_width: 0.001, min_replications: 2, max_replications: 4}\n"
    )
    content = compare(str(comparison)).content
    assert content["precision"]["met"] is False
    assert content["precision"]["replications"] == 4 == content["replications"]


def test_a_run_to_precision_is_the_same_on_one_worker_and_two(tmp_path: Path) -> None:
    """sim.run with precision: the replications kept, the summary and its precision entry
    do not depend on the workers; progress totals grow by round instead of restarting."""
    import sim

    scenario = tmp_path / "penny.yaml"
    scenario.write_text(
        f"line: {ROOT / 'configs' / 'penny_fab.yaml'}\nhorizon: 400\nwarmup: 100\n"
        "set: {release.wip: 8}\nprecision: {half_width: 4, min_replications: 3}\n"
    )
    starts: list[int] = []
    one = sim.run(scenario, jobs=1, on_start=lambda _name, total: starts.append(total))
    two = sim.run(scenario, jobs=2)
    assert one.summary == two.summary
    kept = one.summary["precision"]["replications"]
    assert one.summary["replications"] == kept == len(one.replications)
    assert starts == list(range(3, kept + 1))  # rounds of one on one worker
    fixed = sim.run(scenario, jobs=1, replications=2)
    assert "precision" not in fixed.summary and fixed.summary["replications"] == 2
    with pytest.raises(ConfigError, match="precision"):
        sim.run(scenario, precision=0.0)
