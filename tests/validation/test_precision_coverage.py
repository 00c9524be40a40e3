"""Precision-driven replications keep their intervals honest: stopping once the CI is
narrow enough must not bias the means or shrink coverage much below 95 %.

The Penny Fab with exponential times is Factory Physics' practical worst case, exact for
a closed balanced line of single exponential machines (mean-value analysis):
TH(w) = w / (W0 + w - 1) r_b with r_b = 0.5 /h and W0 = 4, so TH(8) = 4/11 = 0.3636 /h
and TH(12) = 0.4 /h. 120 comparisons of w = 8 against w = 12, each on its own seed and
run to a 95 % CI within 3 %, must cover TH(8), TH(12) and their difference in about 95 %
of cases (at least 88 %: 3.5 standard errors of a binomial share below 0.95 over 120),
and the mean of the 120 estimates of TH(8) must lie within 0.5 % of 4/11 (its standard
error is about 0.14 %, so a 1-2 % bias fails).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.experiment.compare import compare
from sim.experiment.executors import LocalExecutor

ROOT = Path(__file__).resolve().parents[2]
RB, W0 = 0.5, 4
TRIALS = 120


def th(w: int) -> float:
    """Practical worst case throughput [pennies / h]."""
    return w / (W0 + w - 1) * RB


@pytest.mark.slow
def test_precision_driven_intervals_cover_the_exact_throughput(tmp_path: Path) -> None:
    files = []
    for wip in (8, 12):
        path = tmp_path / f"penny_w{wip}.yaml"
        path.write_text(
            f"line: {ROOT / 'configs' / 'penny_fab.yaml'}\nhorizon: 2000\nwarmup: 200\n"
            f"set: {{release.wip: {wip}}}\n"
        )
        files.append(str(path))
    covered = np.zeros(3)
    means, counts = [], []
    with LocalExecutor(1) as executor:
        for seed in range(1, TRIALS + 1):
            content = compare(files, seed=seed, precision=3.0, executor=executor).content
            assert content["precision"]["met"]
            counts.append(content["precision"]["replications"])
            kpi = content["kpis"]["throughput"]
            low8, high8 = kpi["penny_w8"]["ci95"]
            low12, high12 = kpi["penny_w12"]["ci95"]
            low_d, high_d = content["differences"]["throughput"]["penny_w12"]["ci95"]
            covered += [
                low8 <= th(8) <= high8,
                low12 <= th(12) <= high12,
                low_d <= th(12) - th(8) <= high_d,
            ]
            means.append(kpi["penny_w8"]["mean"])
    shares = covered / TRIALS
    assert (shares >= 0.88).all(), shares
    assert abs(np.mean(means) / th(8) - 1) < 0.005
    assert min(counts) >= 3 and max(counts) < 20  # the target, not the cap, stopped them
