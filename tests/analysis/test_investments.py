"""Plant investments and the overhead rule: a lever that only buys equipment costs exactly
its depreciation plus its upkeep, software running cost is operating overhead, and the
BatPaC overhead shares are off unless a line sets them.

The levers are written as files and loaded through ``load_scenario`` (the path a user
takes); the costed line is ``tests/fixtures/tiny_costed_line.yaml`` with random failures,
scrap and process times, so the identities hold on a real run, not a toy roll-up. Both
scenarios share the seed, and a cost-only lever changes nothing the engine sees, so the
two runs are identical draw for draw (checked) and every difference is the cost rule.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_line, load_scenario, run
from sim.analysis.costs import COST_CATEGORIES, cost_kpis
from sim.analysis.kpis import line_kpis
from sim.engine import ReplicationResult, simulate
from sim.model import Line, Scenario
from sim.model.costs import Investment

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_costed_line.yaml"

REL = 1e-12
"""Relative tolerance of the identities [-] (sums of a handful of floats)."""


def write(tmp_path: Path, investment: dict[str, Any]) -> tuple[Path, Path]:
    """Write the costed line (with an empty ``investments`` map a lever can add to), a
    lever file whose one lever adds ``investment`` as ``agv-fleet`` and marks it a cost,
    and the base and lever scenarios; return (base, with lever)."""
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["costs"]["investments"] = {}
    (tmp_path / "line.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    levers = {
        "levers": {
            "agv-fleet": {
                "description": "AGVs between the press and the oven",
                "source": "E: test",
                "changes": [
                    {"path": "costs.investments.agv-fleet", "set": investment, "cost": True}
                ],
            }
        }
    }
    (tmp_path / "levers.yaml").write_text(yaml.safe_dump(levers), encoding="utf-8")
    head = "line: line.yaml\nhorizon: '2 d'\nwarmup: '2 h'\nreplications: 2\nseed: 5\n"
    base = tmp_path / "base.yaml"
    base.write_text(head, encoding="utf-8")
    smart = tmp_path / "smart.yaml"
    smart.write_text(head + "lever_file: levers.yaml\nlevers: [agv-fleet]\n", encoding="utf-8")
    return base, smart


def kpis_of(scenario: Scenario) -> tuple[list[ReplicationResult], list[dict[str, float]]]:
    """Run ``scenario`` in this process; return its results and KPIs per replication."""
    outcome = run(scenario, jobs=1)
    results = list(outcome.replications)
    return results, [line_kpis(result, scenario.line) for result in results]


def test_investment_only_lever_costs_depreciation_plus_upkeep(tmp_path: Path) -> None:
    """Known answer: an AGV fleet of X = 1.2 M EUR over L = 8 years with upkeep m = 4 %
    a year adds X / L + m X = 150,000 + 48,000 = 198,000 EUR to the annual cost of every
    replication: depreciation + 150,000, maintenance + 48,000, capex + X, every other
    category (overhead included) unchanged to the cent, and the engine's results equal."""
    base_file, smart_file = write(tmp_path, {"capex": 1.2e6, "years": 8, "maintenance_share": 0.04})
    base_results, base = kpis_of(load_scenario(base_file))
    smart_results, smart = kpis_of(load_scenario(smart_file))
    assert [r.stations["press"].state_time for r in base_results] == [
        r.stations["press"].state_time for r in smart_results
    ]
    for before, after in zip(base, smart, strict=True):
        assert after["cost_total"] - before["cost_total"] == pytest.approx(198_000.0, rel=REL)
        assert after["cost.depreciation"] - before["cost.depreciation"] == pytest.approx(
            150_000.0, rel=REL
        )
        assert after["cost.maintenance"] - before["cost.maintenance"] == pytest.approx(
            48_000.0, rel=REL
        )
        assert after["capex"] - before["capex"] == pytest.approx(1.2e6, rel=REL)
        for name in set(COST_CATEGORIES) - {"depreciation", "maintenance"}:
            assert after[f"cost.{name}"] == before[f"cost.{name}"], name
        assert after["ah_per_year"] == before["ah_per_year"]


def test_investment_defaults_to_the_line_life_and_upkeep(tmp_path: Path) -> None:
    """Known answer: without ``years`` and ``maintenance_share`` an investment X = 600 k
    takes the line's depreciation_years (6, the schema default the fixture keeps) and
    maintenance_share (3 %): + 100,000 + 18,000 = 118,000 EUR a year."""
    base_file, smart_file = write(tmp_path, {"capex": 6.0e5})
    _, base = kpis_of(load_scenario(base_file))
    _, smart = kpis_of(load_scenario(smart_file))
    for before, after in zip(base, smart, strict=True):
        assert after["cost_total"] - before["cost_total"] == pytest.approx(118_000.0, rel=REL)


def test_software_running_cost_is_operating_overhead(tmp_path: Path) -> None:
    """Known answer: an MES with no hardware (capex 0) and 250,000 EUR a year of licences
    and IT support adds exactly 250,000 to ``cost.overhead`` and to the total, and nothing
    to depreciation, maintenance or capex."""
    base_file, smart_file = write(tmp_path, {"capex": 0.0, "running": 250_000.0})
    _, base = kpis_of(load_scenario(base_file))
    _, smart = kpis_of(load_scenario(smart_file))
    for before, after in zip(base, smart, strict=True):
        assert after["cost.overhead"] - before["cost.overhead"] == pytest.approx(250_000.0)
        assert after["cost_total"] - before["cost_total"] == pytest.approx(250_000.0, rel=REL)
        for name in ("depreciation", "maintenance"):
            assert after[f"cost.{name}"] == before[f"cost.{name}"], name
        assert after["capex"] == before["capex"]


def test_overhead_does_not_follow_direct_labour_by_default(tmp_path: Path) -> None:
    """Known answer: the fixture sets no overhead shares, so with no investment running
    cost ``cost.overhead`` is 0: the BatPaC variable overhead (which stands for indirect
    labour, utilities and maintenance, booked explicitly here) is not added on top, and a
    labour lever moves only direct labour."""
    base_file, _ = write(tmp_path, {"capex": 0.0})
    _, base = kpis_of(load_scenario(base_file))
    assert all(kpis["cost.overhead"] == 0.0 for kpis in base)
    assert all(kpis["cost.direct_labour"] > 0 for kpis in base)


@pytest.fixture(scope="module")
def one_run() -> tuple[Line, ReplicationResult, dict[str, float]]:
    """One replication of the costed line without investments (2 d after 2 h), its KPIs."""
    line = load_line(FIXTURE)
    result = simulate(line, 2880.0, 120.0, 3, 0)
    return line, result, line_kpis(result, line)


@settings(max_examples=40, deadline=None)
@given(
    capex=st.floats(min_value=0.0, max_value=1e9),
    years=st.one_of(st.none(), st.floats(min_value=0.5, max_value=100.0)),
    share=st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0)),
    running=st.floats(min_value=0.0, max_value=1e8),
)
def test_cost_identity_for_any_investment(
    one_run: tuple[Line, ReplicationResult, dict[str, float]],
    capex: float,
    years: float | None,
    share: float | None,
    running: float,
) -> None:
    """Property: for any investment (capex X, life L or the line's, upkeep m or the
    line's, running cost R) the annual cost rises by X / L + m X + R exactly, split into
    depreciation X / L, maintenance m X and overhead R, on the same engine result."""
    line, result, kpis = one_run
    assert line.costs is not None
    investment = Investment(capex=capex, years=years, maintenance_share=share, running=running)
    costs = line.costs.model_copy(update={"investments": {"new": investment}})
    bought = cost_kpis(result, line.model_copy(update={"costs": costs}), kpis)
    life = years if years is not None else line.costs.depreciation_years
    upkeep = share if share is not None else line.costs.maintenance_share
    expected = capex / life + upkeep * capex + running
    assert math.isclose(
        bought["cost_total"] - kpis["cost_total"], expected, rel_tol=1e-9, abs_tol=1e-6
    )
    assert math.isclose(
        bought["cost.depreciation"] - kpis["cost.depreciation"],
        capex / life,
        rel_tol=1e-9,
        abs_tol=1e-6,
    )
    assert math.isclose(
        bought["cost.overhead"] - kpis["cost.overhead"], running, rel_tol=1e-9, abs_tol=1e-6
    )
