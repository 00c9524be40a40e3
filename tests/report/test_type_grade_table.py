"""The console table of grades by type: a row per type, a share column per grade and,
with Ah, a column of Ah a year per grade with its unit; none without grades by type."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from sim.report.product_tables import grade_table


def _summary(with_ah: bool) -> dict[str, Any]:
    """Two types x and y graded A and B (x 0.8 / 0.2, y 0.6 / 0.4)."""
    kpis: dict[str, Any] = {
        "product.x.good": {"mean": 10.0, "unit": "pcs"},
        "product.y.good": {"mean": 5.0, "unit": "pcs"},
    }
    for name, shares in {"x": (0.8, 0.2), "y": (0.6, 0.4)}.items():
        for grade, share in zip(("A", "B"), shares, strict=True):
            kpis[f"product.{name}.grade.{grade}.share"] = {"mean": share, "unit": "-"}
            if with_ah:
                kpis[f"product.{name}.grade.{grade}.ah_per_year"] = {
                    "mean": share * 1e6,
                    "unit": "Ah / year",
                }
    return {"kpis": kpis}


def _text(summary: dict[str, Any]) -> str:
    table = grade_table(summary)
    assert table is not None
    console = Console(record=True, width=200)
    console.print(table)
    return console.export_text()


def test_shares_and_ah_by_type_and_grade() -> None:
    """Each type's row holds its shares, then its Ah a year with the unit."""
    text = _text(_summary(with_ah=True))
    row_x = next(line for line in text.splitlines() if line.startswith("│ x"))
    row_y = next(line for line in text.splitlines() if line.startswith("│ y"))
    assert "0.8000" in row_x and "0.2000" in row_x and "Ah / year" in row_x
    assert "0.6000" in row_y and "0.4000" in row_y
    assert "A Ah/yr" in text and "B Ah/yr" in text


def test_shares_alone_without_ah() -> None:
    """A line without a product has shares by type but no Ah columns."""
    text = _text(_summary(with_ah=False))
    assert "Ah" not in text.split("\n", 1)[1]  # none below the title


def test_no_table_without_grades_by_type() -> None:
    """A mix without grading (or a plain line) gives no table."""
    assert grade_table({"kpis": {"product.x.good": {"mean": 1.0, "unit": "pcs"}}}) is None
