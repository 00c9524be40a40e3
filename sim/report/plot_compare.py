"""Plots of a comparison: a forest plot of paired percent changes and lever waterfalls.

They read only the content of ``comparison.json``; they never run the engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from sim.figures import plural
from sim.report.compare_tables import HEADLINE_KPIS
from sim.report.plot_costs import has_costs, plot_cost_comparison
from sim.report.plot_run import cumulative_output
from sim.report.plot_style import new_figure, save_figure, thousands
from sim.report.run_data import load_results

__all__ = [
    "LOWER_IS_BETTER",
    "lower_is_better",
    "plot_forest",
    "plot_throughput_overlay",
    "plot_waterfall",
    "write_comparison_plots",
]

_BAR = "#3182bd"
_BETTER = "#2e9e44"
_WORSE = "#d62728"

LOWER_IS_BETTER = (
    "capex",
    "conversion_cost",
    "cost",
    "energy_kwh",
    "escaped_defects",
    "flow_time",
    "labour_hours",
    "lost_work",
    "scrap_cost",
    "wip",
)
"""KPIs (by name or the part before ``_``, ``.`` or the end) where a fall is an
improvement: costs, time, energy and labour per unit, work in process, defects."""


def lower_is_better(kpi: str) -> bool:
    """Whether a fall of ``kpi`` is an improvement (a cost per Ah, a flow time)."""
    return any(kpi == name or kpi.startswith((f"{name}_", f"{name}.")) for name in LOWER_IS_BETTER)


def plot_forest(content: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Each headline KPI's paired change against the reference [%] with its 95% CI;
    the claim's +/- lines dashed when the comparison carries a claim."""
    names = content["scenarios"][1:]
    kpis = [k for k in HEADLINE_KPIS if k in content["differences"]]
    figure, axes = new_figure()
    height = 0.8 / max(len(names), 1)
    for index, name in enumerate(names):
        y = np.arange(len(kpis)) + index * height
        means, lows, highs = [], [], []
        for kpi in kpis:
            percent = content["differences"][kpi][name]["percent"]
            mean = percent["mean"] if percent["mean"] is not None else np.nan
            ci = percent["ci95"] or [mean, mean]
            means.append(mean)
            lows.append(mean - ci[0])
            highs.append(ci[1] - mean)
        axes.errorbar(means, y, xerr=[lows, highs], fmt="o", capsize=4, label=name)
    claim = content.get("claim")
    if claim:
        for value, label in (
            (claim["efficiency_percent"], "claimed efficiency"),
            (claim["cost_percent"], "claimed cost"),
        ):
            axes.axvline(value, linestyle="--", color="0.4", linewidth=1)
            axes.text(
                value,
                0.02,
                f" {label} {value:+g} %",
                fontsize=8,
                color="0.3",
                rotation=90,
                va="bottom",
                transform=axes.get_xaxis_transform(),
            )
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_yticks(np.arange(len(kpis)) + height * (len(names) - 1) / 2, kpis)
    axes.invert_yaxis()
    axes.set_xlabel(f"paired change against {content['reference']} [%] (95% CI)")
    axes.set_title(
        f"{', '.join(names)} vs {content['reference']}: change of each KPI, "
        f"{plural(content['replications'], 'replication')} on common random numbers",
        loc="left",
    )
    axes.grid(axis="x", color="0.9")
    axes.legend(loc="lower right")
    return save_figure(figure, path)


def plot_waterfall(content: dict[str, Any], kpi: str, path: str | os.PathLike[str]) -> Path:
    """From no lever to all levers, how much each lever changes ``kpi`` (Shapley values,
    which add up to the total change)."""
    attribution = content["attribution"][kpi]
    levers = list(attribution)
    steps = np.array([attribution[lever]["mean"] or 0.0 for lever in levers])
    settings = content.get("attribution_settings", {})
    start = 0.0
    figure, axes = new_figure()
    running = start
    falls_better = lower_is_better(kpi)
    for index, (lever, step) in enumerate(zip(levers, steps, strict=True)):
        better = step <= 0 if falls_better else step >= 0
        axes.bar(index, step, bottom=running, color=_BETTER if better else _WORSE, width=0.6)
        ci = attribution[lever]["ci95"]
        if ci:
            axes.errorbar(
                index,
                running + step,
                yerr=[[step - ci[0]], [ci[1] - step]],
                color="black",
                capsize=4,
            )
        running += step
    axes.bar(len(levers), running, color=_BAR, width=0.6)
    # a lever with no share is a bar of height 0 at the running total, whose sticky edge
    # would leave no margin above the tallest bar (it would look cut off)
    axes.use_sticky_edges = False
    axes.set_xticks(range(len(levers) + 1), [*levers, "all levers"], rotation=20, ha="right")
    axes.axhline(0, color="black", linewidth=0.8)
    unit = content.get("units", {}).get(kpi)
    axes.set_ylabel(f"change of {kpi} against no lever" + (f" [{unit}]" if unit else ""))
    check = settings.get("check", {}).get(kpi)
    title = (
        f"{kpi}: what each lever explains (Shapley, {settings.get('method', '')}; "
        f"{plural(settings.get('replications', 0), 'replication')} of "
        f"{settings.get('horizon', 0):g} {content['time_unit']} per lever set)"
    )
    if check:
        from sim.report.attribution_check import check_sentence

        # the check on lines of its own: its conclusion and what it rests on, changes [%]
        sentence = check_sentence(check, short=True)
        for joint in (", full comparison", "; the shares"):
            sentence = sentence.replace(joint, joint[0] + "\n" + joint[2:])
        title += "\n" + sentence
    axes.set_title(title, loc="left")
    axes.grid(axis="y", color="0.9")
    from matplotlib.patches import Patch

    direction = "lower" if falls_better else "higher"
    axes.legend(
        handles=[
            Patch(color=_BETTER, label=f"lever improves {kpi} ({direction} is better)"),
            Patch(color=_WORSE, label=f"lever worsens {kpi}"),
            Patch(color=_BAR, label="all levers together"),
        ],
        loc="best",
        fontsize="small",
    )
    return save_figure(figure, path)


def plot_throughput_overlay(
    folder: str | os.PathLike[str], content: dict[str, Any], path: str | os.PathLike[str]
) -> Path:
    """Cumulative good output of every compared scenario over the window, mean with the
    replications' range, read from each scenario's results folder."""
    figure, axes = new_figure()
    for name in content["scenarios"]:
        data = load_results(Path(folder) / name)
        if data.timeseries.empty:
            continue
        edges, curves = cumulative_output(data)
        mean = curves.mean(axis=0)
        line = axes.plot(edges, mean, label=f"{name}: {mean[-1]:,.0f} good units")[0]
        axes.fill_between(
            edges,
            curves.min(axis=0),
            curves.max(axis=0),
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
    unit = content["time_unit"]
    axes.set_xlabel(f"simulated time [{unit}]")
    axes.set_ylabel("cumulative good output [units]")
    axes.set_title(
        f"cumulative good output, {' vs '.join(content['scenarios'])} (mean and "
        "range of replications, common random numbers)",
        loc="left",
    )
    axes.grid(color="0.9")
    thousands(axes.xaxis)
    thousands(axes.yaxis)
    axes.legend(loc="upper left")
    return save_figure(figure, path)


def write_comparison_plots(
    folder: str | os.PathLike[str],
    content: dict[str, Any],
    uncertainty: dict[str, Any] | None = None,
) -> list[Path]:
    """Write ``comparison.png``, ``throughput.png`` (scenarios overlaid, when their results
    folders are there), ``costs.png`` for costed lines, with attribution
    ``waterfall_<kpi>.png`` files, and with an uncertainty study its two plots."""
    out = Path(folder)
    paths = [plot_forest(content, out / "comparison.png")]
    if all((out / name / "timeseries.csv").exists() for name in content["scenarios"]):
        paths.append(plot_throughput_overlay(out, content, out / "throughput.png"))
    if has_costs({k: v[content["reference"]] for k, v in content["kpis"].items()}):
        paths.append(plot_cost_comparison(content, out / "costs.png"))
    for kpi in content.get("attribution", {}):
        paths.append(plot_waterfall(content, kpi, out / f"waterfall_{kpi}.png"))
    if uncertainty:
        from sim.report.plot_uncertainty import write_uncertainty_plots

        paths += write_uncertainty_plots(out, uncertainty)
    return paths
