"""Console tables of a product mix: output, yield and flow time by type, grade shares by
type, changeovers by station, every value with its unit (from ``summary.json``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from sim.figures import value_in

__all__ = ["changeover_table", "grade_table", "product_table"]

_TYPE_COLUMNS = (
    "good",
    "share",
    "ah_per_year",
    "yield",
    "flow_time",
    "fill_rate",
    "on_time_share",
    "backlog",
)
"""KPIs of each type shown, in order (those the run has)."""

_CHANGEOVER_COLUMNS = ("share", "hours", "count")


def _names(kpis: dict[str, Any], kind: str) -> list[str]:
    """The types (or changeover stations) in the order the summary lists them."""
    seen: list[str] = []
    for name in kpis:
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == kind and parts[1] not in seen:
            seen.append(parts[1])
    return seen


def _cell(estimate: dict[str, Any] | None) -> str:
    if not estimate:
        return "-"
    unit = estimate.get("unit")
    shown = value_in(estimate.get("mean"), unit)
    return shown if unit in (None, "-") else f"{shown} {unit}"


def product_table(summary: dict[str, Any]) -> Table | None:
    """Mean good output, its share, Ah a year, yield and flow time of each type, with
    units; ``None`` for a run without a product mix."""
    kpis = summary["kpis"]
    types = _names(kpis, "product")
    if not types:
        return None
    columns = [c for c in _TYPE_COLUMNS if f"product.{types[0]}.{c}" in kpis]
    table = Table(title="products: means by type (share and yield [-])", title_justify="left")
    table.add_column("type", overflow="fold")
    for column in columns:
        table.add_column(column, justify="right", overflow="fold")
    for name in types:
        table.add_row(name, *(_cell(kpis.get(f"product.{name}.{c}")) for c in columns))
    return table


def changeover_table(summary: dict[str, Any]) -> Table | None:
    """Mean share of machine time in changeovers [-], their machine-hours and count a
    year at each station with a changeover matrix; ``None`` when there is none."""
    kpis = summary["kpis"]
    stations = _names(kpis, "changeover")
    if not stations:
        return None
    table = Table(title="changeovers between types, means", title_justify="left")
    table.add_column("station", overflow="fold")
    for column in _CHANGEOVER_COLUMNS:
        table.add_column(column, justify="right", overflow="fold")
    for name in stations:
        table.add_row(
            name, *(_cell(kpis.get(f"changeover.{name}.{c}")) for c in _CHANGEOVER_COLUMNS)
        )
    return table


def _grades(kpis: dict[str, Any], kind: str) -> list[str]:
    """The grades of ``product.<type>.grade.<grade>.<kind>``, in the summary's order."""
    seen: list[str] = []
    for name in kpis:
        parts = name.split(".")
        typed_grade = len(parts) == 5 and parts[0] == "product" and parts[2] == "grade"
        if typed_grade and parts[4] == kind and parts[3] not in seen:
            seen.append(parts[3])
    return seen


def grade_table(summary: dict[str, Any]) -> Table | None:
    """Mean share of each type's good graded units in each grade [-] and, for a line with
    a product, the grade's Ah a year; ``None`` for a run without grades by type."""
    kpis = summary["kpis"]
    grades = _grades(kpis, "share")
    if not grades:
        return None
    types = [t for t in _names(kpis, "product") if f"product.{t}.grade.{grades[0]}.share" in kpis]
    kinds = [k for k in ("share", "ah_per_year") if k == "share" or _grades(kpis, k)]
    table = Table(
        title="grades by type: means (share of the type's good graded units [-])",
        title_justify="left",
    )
    table.add_column("type", overflow="fold")
    for kind in kinds:
        for grade in grades:
            label = grade if kind == "share" else f"{grade} Ah/yr"
            table.add_column(label, justify="right", overflow="fold")
    for name in types:
        table.add_row(
            name,
            *(
                _cell(kpis.get(f"product.{name}.grade.{grade}.{kind}"))
                for kind in kinds
                for grade in grades
            ),
        )
    return table
