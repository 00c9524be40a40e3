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
from sim.report.labels import (
    LOWER_IS_BETTER,
    kpi_label,
    kpi_name,
    lower_is_better,
    scenario_name,
)
from sim.report.plot_costs import has_costs, plot_cost_comparison
from sim.report.plot_run import cumulative_output
from sim.report.plot_style import new_figure, save_figure, thousands
from sim.report.run_data import load_results

__all__ = [
    "LOWER_IS_BETTER",
    "change_color",
    "lower_is_better",
    "plot_forest",
    "plot_throughput_overlay",
    "plot_waterfall",
    "write_comparison_plots",
]

_BAR = "#3182bd"
_BETTER = "#2e9e44"
_WORSE = "#d62728"
_NEUTRAL = "#7f7f7f"

_SHAPES = ("o", "s", "^", "D", "v", "P")
"""Marker of each compared scenario (colour says better or worse)."""


def change_color(kpi: str, change: float) -> str:
    """Green when a change of ``kpi`` is an improvement (more output, less cost, time,
    energy or WIP; :func:`lower_is_better`), red when it is a loss, grey for none."""
    if not np.isfinite(change) or change == 0:
        return _NEUTRAL
    better = change < 0 if lower_is_better(kpi) else change > 0
    return _BETTER if better else _WORSE


def plot_forest(content: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Each headline KPI's paired change against the reference [%] with its 95% CI, in
    words with its unit; green where the change is better, red where it is worse (per the
    KPI's direction), hollow where the CI includes no change; the claim's +/- lines dashed
    when the comparison carries a claim."""
    from matplotlib.lines import Line2D

    names = content["scenarios"][1:]
    kpis = [k for k in HEADLINE_KPIS if k in content["differences"]]
    units = content.get("units", {})
    figure, axes = new_figure()
    height = 0.8 / max(len(names), 1)
    for index, name in enumerate(names):
        shape = _SHAPES[index % len(_SHAPES)]
        for row, kpi in enumerate(kpis):
            percent = content["differences"][kpi][name]["percent"]
            mean = percent["mean"] if percent["mean"] is not None else np.nan
            ci = percent["ci95"] or [mean, mean]
            color = change_color(kpi, mean)
            clear = np.isfinite(ci[0]) and (ci[0] > 0 or ci[1] < 0)
            axes.errorbar(
                [mean],
                [row + index * height],
                xerr=[[mean - ci[0]], [ci[1] - mean]],
                fmt=shape,
                color=color,
                markerfacecolor=color if clear else "white",
                markeredgewidth=1.6,
                markersize=8,
                capsize=4,
            )
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
    axes.set_yticks(
        np.arange(len(kpis)) + height * (len(names) - 1) / 2,
        [kpi_label(kpi_name(k), units.get(k)) for k in kpis],
    )
    axes.invert_yaxis()
    reference = scenario_name(content["reference"])
    axes.set_xlabel(f"paired change against {reference} [%] (95% CI)")
    axes.set_title(
        f"{', '.join(map(scenario_name, names))} against {reference}: change of each KPI\n"
        f"{plural(content['replications'], 'replication')} on common random numbers",
        loc="left",
    )
    axes.grid(axis="x", color="0.9")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=_BETTER, label="better"),
        Line2D([], [], marker="o", linestyle="", color=_WORSE, label="worse"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color="0.35",
            markerfacecolor="white",
            label="hollow: the CI includes no change",
        ),
    ]
    if len(names) > 1:
        handles += [
            Line2D([], [], marker=_SHAPES[i % len(_SHAPES)], linestyle="", color="0.35", label=n)
            for i, n in enumerate(map(scenario_name, names))
        ]
    figure.legend(
        handles=handles, loc="outside lower center", ncols=len(handles), frameon=False, fontsize=9
    )
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
    axes.set_ylabel(f"change of {kpi_name(kpi)} against no lever" + (f" [{unit}]" if unit else ""))
    check = settings.get("check", {}).get(kpi)
    title = (
        f"{kpi_name(kpi)}: what each lever explains (Shapley, {settings.get('method', '')}; "
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
            Patch(color=_BETTER, label=f"lever improves {kpi_name(kpi)} ({direction} is better)"),
            Patch(color=_WORSE, label=f"lever worsens {kpi_name(kpi)}"),
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
    output = content.get("units", {}).get("good", "units")  # modules, cells or jobs
    for name in content["scenarios"]:
        data = load_results(Path(folder) / name)
        if data.timeseries.empty:
            continue
        edges, curves = cumulative_output(data)
        mean = curves.mean(axis=0)
        line = axes.plot(edges, mean, label=f"{name}: {mean[-1]:,.0f} good {output}")[0]
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
    axes.set_ylabel(f"cumulative good output [{output}]")
    axes.set_title(
        f"cumulative good output, {' vs '.join(content['scenarios'])}\n(mean and "
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
