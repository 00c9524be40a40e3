"""Round trip: simulate a line with known parameters, trace it, fit the trace, and every
true parameter lies inside its fitted 99.9 % confidence interval.

The line (tests/fit/roundtrip_line.yaml) has exponential and gamma process times,
operating-basis failures with exponential and gamma repairs, scrap and minor stops. 99.9 %
per interval keeps a correct fit from failing by chance on any of the ~15 intervals; the
intervals must also be tight (half-widths below the bounds asserted), so a biased
estimator cannot hide in a wide one. The default run traces 60,000 h (about 50,000
cycles per station); the slow run 400,000 h with tighter bounds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fit_helpers import HERE, trace_line

from sim.fit import fit_log
from sim.model import load_scenario

HOUR = 3600.0
CONFIDENCE = 0.999

# (station, where in the station's fit record, true value, unit factor to seconds)
TRUTH = [
    ("press", ("process_time", "mean"), 1.0, HOUR),
    ("press", ("process_time", "cv"), 1.0, 1.0),
    ("press", ("failures", "mtbf"), 5.0, HOUR),
    ("press", ("failures", "repair_time", "mean"), 1.0, HOUR),
    ("press", ("failures", "repair_time", "cv"), 1.0, 1.0),
    ("weld", ("process_time", "mean"), 0.8, HOUR),
    ("weld", ("process_time", "cv"), 0.5, 1.0),
    ("weld", ("failures", "mtbf"), 8.0, HOUR),
    ("weld", ("failures", "repair_time", "mean"), 0.5, HOUR),
    ("weld", ("failures", "repair_time", "cv"), 0.5, 1.0),
    ("weld", ("scrap",), 0.1, 1.0),
    ("test", ("process_time", "mean"), 1.5, HOUR),
    ("test", ("process_time", "cv"), 0.3, 1.0),
    ("test", ("minor_stops", "gap"), 4.0, HOUR),
    ("test", ("minor_stops", "duration"), 0.1, HOUR),
]


def _estimate(record: dict, station: str, keys: tuple[str, ...]) -> dict:
    node = record["stations"][station]
    for key in keys:
        node = node[key]
    return node


def _round_trip(tmp_path: Path, horizon: float, width: dict[str, float]) -> None:
    log = trace_line("roundtrip_line.yaml", tmp_path, horizon, warmup=100.0, seed=11)
    result = fit_log(log, HERE / "roundtrip_line.yaml", tmp_path / "fit", confidence=CONFIDENCE)
    misses = []
    for station, keys, truth, unit in TRUTH:
        estimate = _estimate(result.record, station, keys)
        low, high = estimate["ci"]
        value = estimate["value"]
        if not low <= truth * unit <= high:
            misses.append(
                f"{station} {'.'.join(keys)}: {truth} outside [{low / unit:.4g}, "
                f"{high / unit:.4g}] (fitted {value / unit:.4g})"
            )
        bound = width["share" if keys == ("scrap",) else "rate"]
        half = (high - low) / 2 / (truth * unit)
        assert half < bound, f"{station} {'.'.join(keys)}: half-width {half:.1%} over {bound:.0%}"
    assert not misses, "; ".join(misses)
    # The families the line draws from are the ones chosen.
    assert result.record["stations"]["weld"]["process_time"]["chosen"] == "gamma"
    assert result.record["stations"]["test"]["process_time"]["chosen"] == "gamma"
    assert result.record["stations"]["press"]["process_time"]["chosen"] in ("exponential", "gamma")
    assert result.record["stations"]["weld"]["failures"]["repair_time"]["chosen"] == "gamma"
    # The written scenario loads and runs as it is.
    scenario = load_scenario(tmp_path / "fit" / "fitted.yaml", replications=1, horizon=200)
    assert scenario.line.station("weld").process_time.cv == pytest.approx(0.5, abs=0.05)
    assert (tmp_path / "fit" / "report.html").stat().st_size > 10_000


def test_round_trip_recovers_every_parameter(tmp_path: Path) -> None:
    _round_trip(tmp_path, 60_000.0, {"rate": 0.08, "share": 0.1})


@pytest.mark.slow
def test_round_trip_long_log_tight_intervals(tmp_path: Path) -> None:
    _round_trip(tmp_path, 400_000.0, {"rate": 0.03, "share": 0.04})
