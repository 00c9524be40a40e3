"""``linesim sweep SWEEP.yaml``: a scenario at many parameter points, a table and plots."""

from __future__ import annotations

import argparse
import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.cli.common import (
    EXIT_INTERRUPTED,
    add_executor_options,
    add_run_length_options,
    progress,
)

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
    rate = f", {result.ran_runs / seconds:,.1f} runs/s" if result.ran_runs else ""
    console.print(
        f"{len(spec.points)} points: {result.ran_points} run ({result.ran_runs} runs "
        f"in {seconds:,.1f} s{rate}), {result.reused_points} already done"
    )
    for index, message in list(result.failed.items())[:5]:
        console.print(f"[yellow]point {index} failed:[/yellow] {message}", soft_wrap=True)
    if len(result.failed) > 5:
        console.print(f"... {len(result.failed)} points failed in all")
    bounds = _bounds_note(result)
    if bounds:
        console.print(bounds)
    console.print(f"results: {files[1]}")
    if result.partial:
        done = sum(summary is not None for summary in result.summaries)
        console.print(
            f"[yellow]interrupted:[/yellow] {done} of {len(spec.points)} points "
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
    return (
        f"Factory Physics: r_b = {bounds['bottleneck_rate']:.4g}, "
        f"T0 = {bounds['raw_process_time']:.4g}, W0 = {bounds['critical_wip']:.4g}"
    )


def _print_table(result: Any, console: Console) -> None:
    from sim.report.plot_style import format_number  # loads matplotlib: not for --help
    from sim.summary_lookup import kpi_estimate

    with_ci = len(result.kpis) <= 4
    title = "KPI means with 95% CI half-widths" if with_ci else "KPI means (intervals in sweep.csv)"
    table = Table(title=f"{result.spec.name}: {title}")
    for name in ["point", *result.spec.parameters]:
        table.add_column(escape(name), justify="right")
    first = next((s for s in result.summaries if s is not None), None)
    for kpi in result.kpis:
        unit = kpi_estimate(first, kpi)["unit"] if first is not None else None
        # escaped: a unit such as [jobs / h] would be read as a rich style tag
        table.add_column(escape(f"{kpi}\n[{unit}]" if unit else kpi), justify="right")
    shown = 0
    for number, (point, summary) in enumerate(
        zip(result.spec.points, result.summaries, strict=True)
    ):
        if summary is None or shown >= MAX_ROWS:
            continue
        shown += 1
        cells = [str(number), *(str(point[p]) for p in result.spec.parameters)]
        for kpi in result.kpis:
            estimate = kpi_estimate(summary, kpi)
            text = format_number(estimate["mean"])
            if estimate["ci95"] and with_ci:
                text += f" ± {format_number((estimate['ci95'][1] - estimate['ci95'][0]) / 2)}"
            cells.append(text)
        table.add_row(*cells)
    console.print(table)
    hidden = sum(s is not None for s in result.summaries) - shown
    if hidden > 0:
        console.print(f"... and {hidden} more points in sweep.csv")
