"""``linesim sweep SWEEP.yaml``: a scenario at many parameter points, a table and plots."""

from __future__ import annotations

import argparse
import time
from typing import Any

from rich.console import Console

from sim.cli.common import (
    EXIT_INTERRUPTED,
    add_executor_options,
    add_run_length_options,
    progress,
)
from sim.figures import count, elapsed, number, plural, quantity

__all__ = ["MAX_ROWS", "add_executor_options", "add_parser", "handle"]

MAX_ROWS = 30
"""Most points printed in the console table [-]; sweep.csv has them all."""


def add_parser(commands: Any) -> None:
    """Register ``sweep``."""
    command: argparse.ArgumentParser = commands.add_parser(
        "sweep",
        help="run a scenario over a grid or Latin hypercube of parameter values",
        description="Run every point of a sweep file with common random numbers; write "
        "sweep.csv, sweep.json and plots. Finished points are kept, so running "
        "the same file again only runs what is missing.",
    )
    command.add_argument("sweep", help="sweep YAML (scenarios/sweep_*.yaml)")
    add_executor_options(command)
    add_run_length_options(command, "replications per point (overrides the file)", "the file")
    command.add_argument("--out", metavar="DIR", help="results folder (default results/<name>/)")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.add_argument("--no-plots", action="store_true", help="skip the PNG plots")


def handle(args: argparse.Namespace, console: Console) -> int:
    """Run the sweep, print its table, write its folder."""
    from sim.api import sweep
    from sim.errors import ConfigError

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be >= 1")
    start = time.perf_counter()
    with progress(console, args.quiet) as bar:
        task = bar.add_task("sweep: runs", total=None)
        outcome = sweep(
            args.sweep,
            replications=args.replications,
            seed=args.seed,
            horizon=args.horizon,
            warmup=args.warmup,
            jobs=args.jobs,
            allow_long=args.allow_long,
            cluster=args.cluster,
            out=args.out,
            plots=not args.no_plots,
            on_start=lambda name, runs: bar.update(task, description=f"{name}: runs", total=runs),
            on_run=lambda: bar.advance(task),
        )
    result, spec = outcome.result, outcome.result.spec
    seconds = time.perf_counter() - start
    files = outcome.files
    _print_table(result, console)
    rate = f", {number(result.ran_runs / seconds)} runs/s" if result.ran_runs else ""
    console.print(
        f"{plural(len(spec.points), 'point')}: {count(result.ran_points)} run "
        f"({plural(result.ran_runs, 'run')} in {elapsed(seconds)}{rate}), "
        f"{count(result.reused_points)} already done"
    )
    for index, message in list(result.failed.items())[:5]:
        console.print(f"[yellow]point {index} failed:[/yellow] {message}", soft_wrap=True)
    if len(result.failed) > 5:
        console.print(f"... {plural(len(result.failed), 'point')} failed in all")
    bounds = _bounds_note(result)
    if bounds:
        console.print(bounds)
    console.print(f"results: {files[1]}")
    if result.partial:
        done = sum(summary is not None for summary in result.summaries)
        console.print(
            f"[yellow]interrupted:[/yellow] {done} of {plural(len(spec.points), 'point')} "
            "kept; run the same command again to finish"
        )
        return EXIT_INTERRUPTED
    return 0


def _bounds_note(result: Any) -> str | None:
    from sim.report.sweep_files import CONWIP_PARAMETER, sweep_content

    if CONWIP_PARAMETER not in result.spec.parameters:
        return None
    bounds = sweep_content(result).get("bounds", {})
    if "not_applicable" in bounds:
        return f"Factory Physics curves not drawn: {bounds['not_applicable']}"
    first = next((s for s in result.summaries if s is not None), None)
    units = {k: v.get("unit") for k, v in (first or {}).get("kpis", {}).items()}
    return (
        f"Factory Physics: r_b = {quantity(bounds['bottleneck_rate'], units.get('throughput'))}, "
        f"T0 = {quantity(bounds['raw_process_time'], units.get('flow_time'))}, "
        f"W0 = {quantity(bounds['critical_wip'], units.get('wip'))}"
    )


def _print_table(result: Any, console: Console) -> None:
    from sim.cli.wide_table import Column, parameter_cell, print_wide_table
    from sim.figures import count, value_in
    from sim.summary_lookup import kpi_estimate

    with_ci = len(result.kpis) <= 4
    title = "KPI means with 95% CI half-widths" if with_ci else "KPI means (intervals in sweep.csv)"
    shown = [
        (number, point, summary)
        for number, (point, summary) in enumerate(
            zip(result.spec.points, result.summaries, strict=True)
        )
        if summary is not None
    ][:MAX_ROWS]
    keys = [Column("point", None, [count(number) for number, _, _ in shown])]
    for parameter in result.spec.parameters:
        cells = [parameter_cell(point[parameter]) for _, point, _ in shown]
        keys.append(Column(parameter, None, cells))
    first = next((s for s in result.summaries if s is not None), None)
    values = []
    for kpi in result.kpis:
        unit = kpi_estimate(first, kpi)["unit"] if first is not None else None
        cells = []
        for _, _, summary in shown:
            estimate = kpi_estimate(summary, kpi)
            text = value_in(estimate["mean"], unit)
            if estimate["ci95"] and with_ci:
                half = (estimate["ci95"][1] - estimate["ci95"][0]) / 2
                text += f" ± {value_in(half, unit)}"
            cells.append(text)
        values.append(Column(kpi, unit, cells))
    print_wide_table(console, f"{result.spec.name}: {title}", keys, values)
    hidden = sum(s is not None for s in result.summaries) - len(shown)
    if hidden > 0:
        console.print(f"... and {hidden} more points in sweep.csv")
