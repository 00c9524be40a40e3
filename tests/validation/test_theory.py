"""The analytic formulas themselves, against special cases with known closed forms.

These guard the yardstick: a wrong formula in :mod:`theory` would otherwise fail (or,
worse, pass) the statistical tests for the wrong reason.
"""

from __future__ import annotations

import math

import pytest

from . import theory


def test_best_and_worst_case_meet_at_one_job() -> None:
    """With w = 1 both cases give TH = 1 / T0 and CT = T0 (nothing ever waits)."""
    assert theory.best_case(1, 8.0, 0.5) == pytest.approx((0.125, 8.0))
    assert theory.practical_worst_case(1, 8.0, 0.5) == pytest.approx((0.125, 8.0))
    assert theory.best_case(10, 8.0, 0.5) == pytest.approx((0.5, 20.0))


def test_erlang_c_with_one_server_is_rho() -> None:
    """C(1, a) = a: in M/M/1 an arrival waits with probability rho."""
    assert theory.erlang_c(1, 0.7) == pytest.approx(0.7)
    assert theory.mmc(0.7, 1.0, 1) == pytest.approx(theory.mm1(0.7, 1.0))


def test_erlang_c_two_servers_closed_form() -> None:
    """For c = 2, C = 2 rho^2 / (1 + rho) [GH, 2.3]."""
    rho = 0.6
    assert theory.erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))


def test_gi_m_1_with_poisson_batches_of_one_is_mm1() -> None:
    """Batches of one under Poisson arrivals: sigma = rho and W = 1 / (mu - lambda)."""
    assert theory.gi_m_1_sigma(lambda s: 0.7 / (0.7 + s), 1.0) == pytest.approx(0.7)
    assert theory.erlang_batch_flow_time(0.7, 1, 1.0) == pytest.approx(1 / 0.3)


def test_jackson_with_scrap() -> None:
    """Scrap thins the flow into later stations; no scrap gives the plain tandem."""
    plain = theory.jackson_tandem(1.0, [2.0, 2.0])
    assert plain["flow_time"] == pytest.approx(2.0)
    thinned = theory.jackson_tandem(1.0, [2.0, 2.0], [0.5, 0.0])
    assert thinned["flow_time"] == pytest.approx(1.0 + 1 / 1.5)
    assert thinned["yield"] == pytest.approx(0.5)
    assert thinned["throughput"] == pytest.approx(0.5)


@pytest.mark.parametrize("buffer", [0, 1, 3, 10])
def test_blocking_with_equal_rates(buffer: int) -> None:
    """Equal rates make the B + 3 states equally likely: TH = mu (B + 2) / (B + 3)."""
    result = theory.two_station_blocking(1.0, 1.0, buffer)
    assert result["throughput"] == pytest.approx((buffer + 2) / (buffer + 3))
    assert result["blocked"] == pytest.approx(1 / (buffer + 3))


def test_blocking_with_a_huge_buffer_reaches_the_bottleneck() -> None:
    """An almost unlimited buffer gives TH = min(mu_1, mu_2)."""
    result = theory.two_station_blocking(1.0, 0.8, 200)
    assert math.isclose(result["throughput"], 0.8, rel_tol=1e-9)


def test_failure_shares() -> None:
    """Operating basis: down = (MTTR / MTBF) busy; calendar basis: down = 1 - A."""
    saturated = theory.operating_failure_shares(1.0, 4.0, 1.0)
    assert saturated == pytest.approx({"busy": 0.8, "down": 0.2, "throughput": 0.8})
    loaded = theory.operating_failure_shares(1.0, 4.0, 1.0, utilization=0.5)
    assert loaded["down"] == pytest.approx(0.125)
    assert theory.calendar_failure_shares(4.0, 1.0)["down"] == pytest.approx(0.2)
