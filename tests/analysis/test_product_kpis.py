"""The KPIs by type of the example mix add up to the line's."""

from __future__ import annotations

import math
from pathlib import Path

from sim.analysis.kpis import line_kpis
from sim.engine import simulate
from sim.model import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_types_add_up_to_the_line() -> None:
    """Known answer: the types' good cells and Ah a year sum to the line's (graded cells
    sold before sorting included), their shares to 1, and each type's good output is what
    left the line of it; 5 days after a 30-day warm-up of the example mix on the reference line."""
    scenario = load_scenario(ROOT / "scenarios" / "product_mix.yaml")
    line = scenario.line
    assert line.products is not None
    result = simulate(line, 120.0, 720.0, seed=2021)  # flow time is about 460 h
    kpis = line_kpis(result, line)
    names = line.products.names
    cells = sum(kpis[f"product.{name}.cells_per_year"] for name in names)
    ah = sum(kpis[f"product.{name}.ah_per_year"] for name in names)
    assert math.isclose(cells, kpis["cells_per_year"], rel_tol=1e-9)
    assert math.isclose(ah, kpis["ah_per_year"], rel_tol=1e-9)
    assert math.isclose(sum(kpis[f"product.{n}.share"] for n in names), 1.0, rel_tol=1e-9)
    good = sum(kpis[f"product.{name}.good"] for name in names)
    assert math.isclose(good, kpis["good"], rel_tol=1e-9)
    for name in names:
        assert 0 < kpis["changeover.winding.share"] < 1
        assert kpis[f"product.{name}.good"] > 0
