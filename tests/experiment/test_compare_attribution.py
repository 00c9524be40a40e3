"""Common random numbers and Shapley attribution, with known answers.

- A lever that changes nothing gives a paired difference of exactly 0.0 for every KPI:
  under common random numbers both scenarios draw the same streams, so each replication
  is the same run.
- Shapley values (:func:`sim.experiment.attribution.shapley`) of a synthetic value
  function with additive effects a_i, pairwise interactions b_ij and a three-way term c
  are known analytically: phi_i = a_i + sum_j b_ij / 2 + c / 3 (for i in the triple).
  Exact and sampled values both add up to v(all) - v(none) (every random order
  telescopes), and on a real line they do so replication by replication.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.analysis.comparison import build_comparison
from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.experiment.attribution import EXACT_UP_TO, orders, shapley, subsets_needed
from sim.experiment.pairs import align, run_pairs
from sim.model import load_scenario

LINE = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny_costed_line.yaml").read_text(
    encoding="utf-8"
)
"""A two-station general line with costs (minutes), random times, failures and scrap."""

LEVERS = (Path(__file__).resolve().parents[1] / "fixtures" / "tiny_levers.yaml").read_text(
    encoding="utf-8"
)
"""The levers of the tiny line (each scenario names the ones it applies)."""

HORIZON = 3000.0
"""Measured window [min]."""


def write(tmp_path: Path, name: str, levers: list[str] | None) -> Path:
    """Write line.yaml, levers.yaml and a scenario ``name``.yaml with ``levers``."""
    (tmp_path / "line.yaml").write_text(LINE, encoding="utf-8")
    (tmp_path / "levers.yaml").write_text(LEVERS, encoding="utf-8")
    text = (
        f"name: {name}\nline: line.yaml\nhorizon: {HORIZON}\nwarmup: 100\n"
        "replications: 4\nseed: 11\n"
    )
    if levers is not None:
        text += "lever_file: levers.yaml\nlevers: [" + ", ".join(levers) + "]\n"
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_change_lever_gives_exactly_zero_difference(tmp_path: Path) -> None:
    """Known answer: scenarios ``nothing`` (no changes) and ``unity`` (scale 1.0 of a
    duration string, scale 1.0 over ``*``, add 0) against the same line without levers:
    every paired difference mean and percent mean is exactly 0.0, and every KPI value is
    the same in each replication."""
    paths = [
        write(tmp_path, "plain", None),
        write(tmp_path, "nothing", ["nothing"]),
        write(tmp_path, "unity", ["unity"]),
    ]
    scenarios = align([load_scenario(p) for p in paths])
    assert scenarios[1].line == scenarios[0].line == scenarios[2].line
    result = run_pairs(scenarios, line_kpis)
    content = build_comparison(result)
    assert content["scenarios"] == ["plain", "nothing", "unity"]
    assert {"throughput", "cost_per_ah", "cost.energy", "ah_per_labour_hour"} <= set(
        content["differences"]
    )
    checked = 0
    for kpi, per_scenario in content["differences"].items():
        assert set(per_scenario) == {"nothing", "unity"}
        for name, difference in per_scenario.items():
            if difference["mean"] is None:  # undefined in every replication (NaN)
                continue
            assert difference["mean"] == 0.0, (kpi, name, difference)
            assert difference["ci95"] == [0.0, 0.0], (kpi, name, difference)
            if difference["percent"]["mean"] is not None:
                assert difference["percent"]["mean"] == 0.0, (kpi, name, difference)
            checked += 1
    assert checked >= 2 * 20
    assert content["kpis"]["throughput"]["plain"]["std"] > 0  # the runs are random


# ---------------------------------------------------------------- synthetic Shapley


def synthetic(
    n: int, replications: int = 3, seed: int = 5
) -> tuple[list[str], Callable[[frozenset[str]], np.ndarray], dict[str, np.ndarray]]:
    """Levers L0..L(n-1), a value function and its analytic Shapley values.

    v(S) = base + sum_{i in S} a_i + sum_{i<j in S} b_ij + c [L0, L1, L2 in S], one entry
    per replication; phi_i = a_i + sum_j b_ij / 2 + c / 3 for i < 3.
    """
    rng = np.random.default_rng(seed)
    levers = [f"L{i}" for i in range(n)]
    base = rng.normal(100.0, 5.0, replications)
    a = {lever: rng.normal(0.0, 3.0, replications) for lever in levers}
    b = {pair: rng.normal(0.0, 2.0, replications) for pair in itertools.combinations(levers, 2)}
    c = rng.normal(0.0, 4.0, replications)
    triple = frozenset(levers[:3])

    def value(subset: frozenset[str]) -> np.ndarray:
        total = base.copy()
        for lever in subset:
            total += a[lever]
        for (i, j), effect in b.items():
            if i in subset and j in subset:
                total += effect
        if triple <= subset:
            total += c
        return total

    phi = {lever: a[lever].copy() for lever in levers}
    for (i, j), effect in b.items():
        phi[i] += effect / 2
        phi[j] += effect / 2
    for lever in triple:
        phi[lever] += c / 3
    return levers, value, phi


@pytest.mark.parametrize("n", [3, EXACT_UP_TO])
def test_exact_shapley_matches_the_analytic_values(n: int) -> None:
    """Known answer: phi_i = a_i + sum_j b_ij / 2 + c / 3 per replication (exact branch),
    and sum_i phi_i = v(all) - v(none)."""
    levers, value, phi = synthetic(n)
    values = shapley(levers, value)
    for lever in levers:
        np.testing.assert_allclose(values[lever], phi[lever], rtol=1e-9, atol=1e-9)
    total = value(frozenset(levers)) - value(frozenset())
    np.testing.assert_allclose(sum(values.values()), total, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("n", "samples", "seed"), [(8, 64, 0), (8, 8, 3), (10, 200, 2021)])
def test_sampled_shapley_sums_to_the_total_change(n: int, samples: int, seed: int) -> None:
    """Known answer: beyond EXACT_UP_TO levers each random order's marginal effects
    telescope to v(all) - v(none), so the sampled values sum to it exactly (1e-9) in every
    replication, whatever the orders; every lever set queried is one that
    ``subsets_needed`` lists (the CLI runs only those)."""
    assert n > EXACT_UP_TO
    levers, value, phi = synthetic(n)
    needed = set(subsets_needed(levers, samples, seed))
    queried: set[frozenset[str]] = set()

    def recording(subset: frozenset[str]) -> np.ndarray:
        queried.add(subset)
        return value(subset)

    values = shapley(levers, recording, samples, seed)
    assert queried <= needed, sorted(map(sorted, queried - needed))
    total = value(frozenset(levers)) - value(frozenset())
    np.testing.assert_allclose(sum(values.values()), total, rtol=1e-9, atol=1e-9)
    if samples >= 200:  # the estimate is near the analytic value (loose, sampling error)
        for lever in levers:
            assert np.all(np.abs(values[lever] - phi[lever]) < 3.0), lever


def test_exact_branch_queries_only_the_listed_subsets() -> None:
    """Known answer: for n <= EXACT_UP_TO, ``subsets_needed`` lists all 2^n lever sets and
    ``shapley`` queries no other."""
    levers, value, _ = synthetic(4)
    needed = subsets_needed(levers)
    assert len(needed) == 16 and len(set(needed)) == 16
    queried: set[frozenset[str]] = set()

    def recording(subset: frozenset[str]) -> np.ndarray:
        queried.add(subset)
        return value(subset)

    shapley(levers, recording)
    assert queried == set(needed)


def test_sampled_shapley_is_exact_for_an_additive_function() -> None:
    """Known answer: without interactions every order gives lever i the marginal a_i, so
    even the sampled estimate (n = 9) is a_i."""
    rng = np.random.default_rng(1)
    levers = [f"L{i}" for i in range(9)]
    a = {lever: rng.normal(0.0, 1.0, 2) for lever in levers}

    def value(subset: frozenset[str]) -> np.ndarray:
        return np.full(2, 7.0) + sum((a[lever] for lever in subset), np.zeros(2))

    values = shapley(levers, value, samples=16, seed=4)
    for lever in levers:
        np.testing.assert_allclose(values[lever], a[lever], rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------- Shapley on a line


@pytest.mark.parametrize("kpi", ["throughput", "cost_per_ah"])
def test_shapley_on_a_line_sums_per_replication(tmp_path: Path, kpi: str) -> None:
    """Known answer: with levers ``faster`` and ``reliable`` on the tiny line, v(S) the
    KPI of each replication of the line with S applied (same seed, same replication
    indices), phi_faster + phi_reliable = v(both) - v(none) in every replication (1e-9),
    and, for two levers, phi_faster = (v(f) - v(0) + v(f, r) - v(r)) / 2."""
    path = write(tmp_path, "both", ["faster", "reliable"])
    levers = ["faster", "reliable"]
    cache: dict[frozenset[str], np.ndarray] = {}

    def value(subset: frozenset[str]) -> np.ndarray:
        if subset not in cache:
            scenario = load_scenario(
                path, levers=[x for x in levers if x in subset], horizon=1500.0, replications=3
            )
            cache[subset] = np.array(
                [
                    line_kpis(
                        simulate(
                            scenario.line, scenario.horizon, scenario.warmup, scenario.seed, r
                        ),
                        scenario.line,
                    )[kpi]
                    for r in range(scenario.replications)
                ]
            )
        return cache[subset]

    values = shapley(levers, value)
    none, both = value(frozenset()), value(frozenset(levers))
    assert np.all(both != none)
    np.testing.assert_allclose(
        values["faster"] + values["reliable"], both - none, rtol=1e-9, atol=1e-12
    )
    f, r = value(frozenset({"faster"})), value(frozenset({"reliable"}))
    np.testing.assert_allclose(values["faster"], (f - none + both - r) / 2, rtol=1e-9, atol=1e-12)


def test_antithetic_pairs_are_exact_when_only_pairs_of_levers_interact() -> None:
    """v(S) = 1 when a and b are both in S: Shapley values a = b = 0.5, c = 0. One random
    order gives a the marginal 1 exactly when b came first; its reverse then gives 0, so
    every antithetic pair averages 0.5: the estimate is exact and its sampling error 0
    (independent orders would leave an error of 0.5 / sqrt(m))."""
    from sim.experiment.attribution import sampling_error

    levers = ["a", "b", "c"]

    def value(subset: frozenset[str]) -> np.ndarray:
        return np.array([1.0 if {"a", "b"} <= subset else 0.0] * 2)

    found = shapley(levers, value, 10, seed=3, exact=False)
    errors = sampling_error(levers, value, 10, seed=3)
    for lever, expected in (("a", 0.5), ("b", 0.5), ("c", 0.0)):
        np.testing.assert_allclose(found[lever], expected, rtol=0, atol=1e-12)
        assert errors[lever] == pytest.approx(0.0, abs=1e-12)
    assert len(subsets_needed(levers, 4, seed=3, exact=False)) < 2 ** len(levers) + 1


def test_orders_come_in_antithetic_pairs() -> None:
    """Each sampled order is followed by its reverse; an odd ``samples`` rounds up to
    whole pairs."""
    levers = [f"L{i}" for i in range(8)]
    found = orders(levers, 7, seed=11)
    assert len(found) == 8
    for first, second in zip(found[::2], found[1::2], strict=True):
        assert second == first[::-1] and sorted(first) == levers


def test_sampled_shapley_reports_its_sampling_error() -> None:
    """v(S) = 1 when a, b and c are all in S, out of five levers: a's marginal in an order
    is 1 when b and c came before it (probability 1/3; Shapley value 1/3 for a, b, c and 0
    for d, e). In the reverse order b and c come before a exactly when a came before both
    (probability 1/3), and never both cases at once, so a pair's mean is 1/2 with
    probability 2/3 and 0 otherwise: standard deviation sqrt(2)/6 over pairs, and the
    reported error is that over sqrt(pairs); the estimate lies within four errors of 1/3."""
    from sim.experiment.attribution import sampling_error

    levers = ["a", "b", "c", "d", "e"]

    def value(subset: frozenset[str]) -> np.ndarray:
        return np.array([1.0 if {"a", "b", "c"} <= subset else 0.0] * 2)

    samples = 800  # 400 pairs
    found = shapley(levers, value, samples, seed=3, exact=False)
    errors = sampling_error(levers, value, samples, seed=3)
    assert errors["a"] == pytest.approx(math.sqrt(2) / 6 / math.sqrt(samples / 2), rel=0.1)
    assert abs(found["a"].mean() - 1 / 3) <= 4 * errors["a"]
    assert found["d"].mean() == 0.0 and errors["d"] == 0.0


# ------------------------------------------------- lever sets that share a simulation


def _changed_outside_the_engine(line: Any) -> Any:
    """``line`` with every part :data:`KPI_ONLY_FIELDS` names changed: other costs, twice
    the operators plus one, other power draws."""
    from sim.model.line import Line

    data = line.model_dump(by_alias=True, exclude_none=True)
    data.pop("costs", None)
    for station in data["stations"]:
        station["operators"] = 2 * station.get("operators", 0) + 1
        station["power"] = {"busy": 123.0, "idle": 4.5, "down": 6.7}
    return Line.model_validate(data)


@pytest.mark.parametrize(
    ("line_file", "horizon", "warmup"),
    [
        (Path(__file__).resolve().parents[1] / "fixtures" / "tiny_costed_line.yaml", 2000, 100),
        (Path(__file__).resolve().parents[2] / "configs" / "prismatic_lfp_300mah.yaml", 72, 24),
    ],
    ids=["tiny", "reference"],
)
def test_kpi_only_fields_leave_a_replication_unchanged(
    line_file: Path, horizon: float, warmup: float
) -> None:
    """What the attribution's shared simulations rest on: a line whose costs, operators
    and power draws (:data:`KPI_ONLY_FIELDS`) differ gives the same replication, field for
    field, as the engine never reads them; only its own costed KPIs differ."""
    import pickle

    from sim.experiment.attribution import KPI_ONLY_FIELDS, engine_view
    from sim.model import load_line

    assert set(KPI_ONLY_FIELDS) == {"costs", "stations"}
    line = load_line(line_file)
    other = _changed_outside_the_engine(line)
    assert engine_view(other) == engine_view(line) and other != line
    first = simulate(line, horizon, warmup, 5, 1)
    second = simulate(other, horizon, warmup, 5, 1)
    assert pickle.dumps(first) == pickle.dumps(second)


def test_cost_only_levers_share_simulations(tmp_path: Path) -> None:
    """Known answer: of ``faster``, ``reliable`` and ``unity`` (whose changes change
    nothing) plus a lever of operators and energy price alone, the 16 lever sets need
    4 simulations (faster x reliable); every set's values equal those of its own run."""
    from sim.analysis.kpis import line_kpis as kpis_of
    from sim.experiment.attribution import attribute
    from sim.experiment.executors import LocalExecutor
    from sim.model.comparison_file import AttributionSpec

    path = write(tmp_path, "four", ["faster", "reliable", "unity", "staffing"])
    scenario = load_scenario(path)
    spec = AttributionSpec(horizon=1500, replications=2, kpis=["throughput", "cost_per_ah"])
    with LocalExecutor(1) as executor:
        shares, settings = attribute(str(path), scenario, spec, {}, executor, kpis_of)
    assert settings["method"] == "exact" and settings["lever_sets"] == 16
    assert settings["simulated_lever_sets"] == 4
    # 4 simulations x 2 replications, and replications 2 and 3 of no lever and all levers
    # for the window's check (check_replications 4 by default)
    assert settings["runs"] == 8 + 2 * 2 and settings["check_runs"] == 4
    assert settings["kpi_only_levers"] == ["unity", "staffing"]
    # every lever set, recomputed from a run of its own
    levers = ["faster", "reliable", "unity", "staffing"]

    def own(subset: frozenset[str]) -> np.ndarray:
        variant = load_scenario(
            path, horizon=1500, replications=2, levers=[x for x in levers if x in subset]
        )
        return np.array(
            [
                kpis_of(
                    simulate(variant.line, variant.horizon, variant.warmup, variant.seed, r),
                    variant.line,
                )["cost_per_ah"]
                for r in range(2)
            ]
        )

    expected = shapley(levers, own)
    for lever in levers:
        np.testing.assert_allclose(shares["cost_per_ah"][lever], expected[lever], rtol=1e-12)
    assert np.all(shares["throughput"]["staffing"] == 0.0)
