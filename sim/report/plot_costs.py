"""Cost plots: a run's cost per Ah by category, and the same for compared scenarios.

They read only ``summary.json`` / ``comparison.json`` content; they never run the engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from sim.report.plot_style import new_figure, save_figure, title_text

__all__ = ["CATEGORY_COLORS", "has_costs", "plot_cost_breakdown", "plot_cost_comparison"]

CATEGORY_COLORS = {
    "materials": "#8c6d31",
    "energy": "#e6550d",
    "direct_labour": "#3182bd",
    "indirect_labour": "#9ecae1",
    "maintenance": "#d62728",
    "depreciation": "#636363",
    "overhead": "#bdbdbd",
}
"""Colour of each cost category, the same in every plot."""


def has_costs(kpis: dict[str, Any]) -> bool:
    """Whether a summary's KPIs carry the cost roll-up and Ah a year."""
    ah = (kpis.get("ah_per_year") or {}).get("mean")
    return bool(ah) and any(f"cost.{c}" in kpis for c in CATEGORY_COLORS)


def _per_ah(kpis: dict[str, Any]) -> dict[str, float]:
    ah = kpis["ah_per_year"]["mean"]
    return {c: (kpis.get(f"cost.{c}") or {}).get("mean") or 0.0 for c in CATEGORY_COLORS} | {
        "_ah": ah
    }


def _stacked(axes: Any, labels: list[str], rows: list[dict[str, float]], currency: str) -> None:
    left = np.zeros(len(rows))
    for category, color in CATEGORY_COLORS.items():
        values = np.array([row[category] / row["_ah"] for row in rows])
        axes.barh(labels, values, left=left, color=color, label=category.replace("_", " "))
        for y, (start, value) in enumerate(zip(left, values, strict=True)):
            if value > 0.06 * max(1e-12, float(left.max() + values.max())):
                axes.text(
                    start + value / 2,
                    y,
                    f"{value:.3f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                )
        left += values
    for y, total in enumerate(left):
        axes.text(total, y, f"  {total:.3f} {currency}/Ah", va="center", fontsize=9)
    axes.set_xlim(0, float(left.max()) * 1.18)
    axes.set_xlabel(f"annual cost per Ah of good cells [{currency} / Ah]")
    axes.invert_yaxis()
    axes.grid(axis="x", color="0.9")
    axes.set_axisbelow(True)


def plot_cost_breakdown(
    summary: dict[str, Any], path: str | os.PathLike[str], currency: str = "EUR"
) -> Path:
    """One stacked bar: cost per Ah by category (materials, energy, labour, ...)."""
    figure, axes = new_figure()
    _stacked(axes, [summary["scenario"]], [_per_ah(summary["kpis"])], currency)
    axes.set_title("cost per Ah by category (mean of replications)", loc="left")
    figure.suptitle(title_text(summary, "cost breakdown"), fontweight="bold")
    figure.legend(loc="outside lower center", ncols=7, frameon=False)
    return save_figure(figure, path)


def plot_cost_comparison(
    content: dict[str, Any], path: str | os.PathLike[str], currency: str = "EUR"
) -> Path:
    """Stacked cost per Ah by category for every compared scenario."""
    names = content["scenarios"]
    rows = []
    for name in names:
        kpis = {k: {"mean": v[name]["mean"]} for k, v in content["kpis"].items()}
        rows.append(_per_ah(kpis))
    figure, axes = new_figure()
    _stacked(axes, names, rows, currency)
    axes.set_title("cost per Ah by category, each scenario (mean of replications)", loc="left")
    figure.suptitle(f"{' vs '.join(names)}: cost breakdown", fontweight="bold")
    figure.legend(
        *axes.get_legend_handles_labels(), loc="outside lower center", ncols=7, frameon=False
    )
    return save_figure(figure, path)
