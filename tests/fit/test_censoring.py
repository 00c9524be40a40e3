"""Censoring on its own: a log cut in the middle of long up-times still recovers MTBF.

400 machines with gamma up-times (MTBF 100 h on the operating basis, cv 0.5) traced for
only 200 h: each machine sees one or two failures and most up-times run past the log's
end. The mean of the complete up-times alone is far too short (only short ones can finish
inside the log); the censored maximum-likelihood fit recovers MTBF and cv inside 99.9 %
intervals.
"""

from __future__ import annotations

from pathlib import Path

from fit_helpers import HERE, trace_line

from sim.fit import fit_log
from sim.fit.intervals import station_data

HOUR = 3600.0


def test_cut_log_recovers_mtbf(tmp_path: Path) -> None:
    log = trace_line("censoring_line.yaml", tmp_path, 200.0, warmup=0.0, seed=5)
    result = fit_log(log, HERE / "censoring_line.yaml", None, confidence=0.999)
    data = station_data(result.log, "oven")
    assert len(data.up_operating.censored) > len(data.up_operating.complete)
    naive = data.up_operating.complete.mean() / HOUR
    assert naive < 85.0  # what ignoring censoring would give: much shorter than 100 h
    failures = result.record["stations"]["oven"]["failures"]
    low, high = failures["mtbf"]["ci"]
    assert low <= 100 * HOUR <= high
    assert (high - low) / 2 / (100 * HOUR) < 0.15
    cv_low, cv_high = failures["up_time"]["cv"]["ci"]
    assert cv_low <= 0.5 <= cv_high
    assert failures["up_time"]["chosen"] == "gamma"
    setting = result.setting("stations.oven.failures.mtbf")
    assert abs(setting.value - 100) < 0.15 * 100


def test_exponential_exposure_uses_every_hour(tmp_path: Path) -> None:
    """Exponential up-times: MTBF = busy hours / failures, with the exact chi-square
    interval; the stretch before each machine's first failure counts as exposure."""
    line = tmp_path / "line.yaml"
    line.write_text(
        "name: exp\ntime_unit: h\nrelease: {policy: push}\nstations:\n"
        "  - {name: oven, machines: 200, process_time: 0.5, failures: {mtbf: 50, mttr: 1}}\n"
    )
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"line: {line}\nhorizon: 100\nwarmup: 20\nreplications: 1\n")
    from sim.fit import trace_replication, write_trace
    from sim.model import load_scenario

    log = write_trace(trace_replication(load_scenario(scenario)), tmp_path)
    result = fit_log(log, line, None, confidence=0.999)
    failures = result.record["stations"]["oven"]["failures"]
    data = station_data(result.log, "oven")
    assert failures["mtbf"]["value"] == data.busy_exposure / data.failures
    low, high = failures["mtbf"]["ci"]
    assert low <= 50 * HOUR <= high
